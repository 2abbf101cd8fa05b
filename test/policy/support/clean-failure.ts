/**
 * Assertions for "fails cleanly": a thrown value is a ServiceError with one of
 * the allowed codes, and nothing in its `cause` chain is a programming fault
 * (TypeError, RangeError, ReferenceError, SyntaxError, URIError) — wrapping a
 * TypeError in a MalformedPolicyDocument hides a crash, it does not fix it.
 */
import assert from 'node:assert/strict';
import { ServiceError } from '../../../src/shared/errors.js';

const FAULTS = [TypeError, RangeError, ReferenceError, SyntaxError, URIError, EvalError];

export function assertCleanFailure(err: unknown, codes: readonly string[], input?: unknown): asserts err is ServiceError {
  const shown = input === undefined ? '' : ` for input ${JSON.stringify(input)?.slice(0, 200)}`;
  assert.ok(err instanceof ServiceError, `expected a ServiceError${shown}, got ${String(err)}`);
  assert.ok(codes.includes(err.code), `unexpected code ${err.code}${shown}: ${err.message}`);
  for (let cause: unknown = err.cause, depth = 0; cause !== undefined && depth < 10; depth++) {
    const fault = FAULTS.find((F) => cause instanceof F);
    assert.equal(fault, undefined, `${err.code}${shown} wraps a ${fault?.name}: ${(cause as Error).message}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
}

/** Runs `fn`; it may return, or throw a clean failure with one of `codes`. Returns the error, if any. */
export function returnsOrFailsCleanly(fn: () => unknown, codes: readonly string[], input?: unknown): ServiceError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assertCleanFailure(err, codes, input);
    return err;
  }
}

/** Runs `fn`, which must throw a clean failure with one of `codes`. */
export function failsCleanly(fn: () => unknown, codes: readonly string[], input?: unknown): ServiceError {
  const err = returnsOrFailsCleanly(fn, codes, input);
  assert.ok(err !== undefined, `expected ${codes.join(' or ')}${input === undefined ? '' : ` for ${JSON.stringify(input)?.slice(0, 200)}`}, but it succeeded`);
  return err;
}
