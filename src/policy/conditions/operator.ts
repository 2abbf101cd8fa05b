/**
 * The shape of a condition operator. Each operator is a plain object: it
 * validates and compiles one policy value once, and tests one request value
 * against one compiled policy value on every request.
 */
import type { RequestContext } from '../context.js';

export interface Operator<V = unknown> {
  /** The base name, e.g. `StringLike` (without set prefix or IfExists). */
  readonly name: string;
  /** Negated operators hold when the request value matches none of the policy values. */
  readonly negated: boolean;
  /** Whether policy variables are substituted in its values. */
  readonly variables: boolean;
  /** Compiles one policy value, or returns a message saying why it is invalid. */
  compile(raw: string, variables: boolean): V | { error: string };
  /**
   * Whether `requestValue` matches the compiled policy value; undefined when the
   * policy value holds a variable that cannot be resolved in this context.
   */
  test(requestValue: string, value: V, ctx: RequestContext): boolean | undefined;
}

export function isError(v: unknown): v is { error: string } {
  return typeof v === 'object' && v !== null && 'error' in v && typeof (v as { error: unknown }).error === 'string';
}

/** Defines a positive operator and its negation from one test. */
export function pair<V>(
  name: string,
  notName: string,
  base: Omit<Operator<V>, 'name' | 'negated'>,
): [Operator<V>, Operator<V>] {
  return [
    { ...base, name, negated: false },
    { ...base, name: notName, negated: true },
  ];
}
