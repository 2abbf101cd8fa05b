/**
 * Compiling and evaluating one `Condition` block.
 *
 * - Operators and keys are ANDed; the values of one key are ORed, or NORed for negated operators.
 * - Missing key: positive operators are false, negated operators true, `…IfExists` true.
 * - `ForAnyValue:` holds when some request value matches (false for a missing or empty key);
 *   `ForAllValues:` when every request value matches (true for a missing or empty key).
 * - A multivalued request value with no set prefix: some value must match (positive),
 *   or no value may match (negated).
 * - `Null: true` holds when the key is absent (or an empty set); `Null: false` when present.
 * - A policy value whose variable cannot be resolved matches nothing: a positive operator
 *   does not match it, and a negated operator does (AWS: "Policy variables with no value").
 */
import type { RequestContext } from './context.js';
import { OPERATORS, isError, type Operator } from './conditions/index.js';
import { isJsonObject, type JsonValue } from './json.js';
import { parseBool } from './values.js';

type SetMode = 'none' | 'any' | 'all';

export class CompiledCondition {
  constructor(
    /** The operator as written, e.g. `ForAnyValue:StringLike`. */
    readonly operator: string,
    /** The key as written. */
    readonly key: string,
    private readonly lowerKey: string,
    private readonly op: Operator | undefined,
    private readonly mode: SetMode,
    private readonly ifExists: boolean,
    private readonly values: readonly unknown[],
  ) {}

  holds(ctx: RequestContext): boolean {
    const value = ctx.get(this.lowerKey);
    const op = this.op;
    if (op === undefined) return this.nullHolds(value);
    if (value === undefined || (typeof value !== 'string' && value.length === 0)) {
      return this.mode === 'all' || (this.mode === 'none' && (this.ifExists || op.negated));
    }
    if (typeof value === 'string') return this.one(op, value, ctx);
    // A set: ForAllValues and negated operators need every value; the rest need one.
    const every = this.mode === 'all' || (this.mode === 'none' && op.negated);
    for (let i = 0; i < value.length; i++) {
      if (this.one(op, value[i]!, ctx) !== every) return !every;
    }
    return every;
  }

  /** Whether one request value satisfies the operator against the policy values. */
  private one(op: Operator, request: string, ctx: RequestContext): boolean {
    const values = this.values;
    if (op.negated) {
      for (let i = 0; i < values.length; i++) if (op.test(request, values[i], ctx) === true) return false;
      return true;
    }
    for (let i = 0; i < values.length; i++) if (op.test(request, values[i], ctx) === true) return true;
    return false;
  }

  private nullHolds(value: unknown): boolean {
    const absent = value === undefined || (Array.isArray(value) && value.length === 0);
    return (this.values as boolean[]).some((wantAbsent) => wantAbsent === absent);
  }
}

const SET_PREFIX: Record<string, SetMode> = { 'ForAnyValue:': 'any', 'ForAllValues:': 'all' };
const KEY_NAME = /^[A-Za-z0-9_.:/@+=\- ]{1,256}$/;

/** Compiles a Condition element; throws an Error whose message says what is wrong. */
export function compileCondition(element: JsonValue, variables: boolean): CompiledCondition[] {
  if (!isJsonObject(element)) throw new Error('Condition must be an object');
  const out: CompiledCondition[] = [];
  for (const operatorText of Object.keys(element)) {
    const block = element[operatorText]!;
    if (!isJsonObject(block)) throw new Error(`Condition operator ${operatorText} must map keys to values`);
    const { op, mode, ifExists, isNull } = parseOperator(operatorText);
    for (const key of Object.keys(block)) {
      if (!KEY_NAME.test(key) || !key.includes(':')) throw new Error(`Condition key "${key}" is not a valid key name`);
      const raw = conditionValues(block[key]!, operatorText, key);
      const values = isNull ? raw.map((r) => nullValue(r, key)) : raw.map((r) => compileValue(op!, r, variables, operatorText, key));
      out.push(new CompiledCondition(operatorText, key, key.toLowerCase(), op, mode, ifExists, values));
    }
  }
  return out;
}

function parseOperator(text: string): { op: Operator | undefined; mode: SetMode; ifExists: boolean; isNull: boolean } {
  let name = text;
  let mode: SetMode = 'none';
  for (const prefix of Object.keys(SET_PREFIX)) {
    if (name.startsWith(prefix)) {
      mode = SET_PREFIX[prefix]!;
      name = name.slice(prefix.length);
    }
  }
  if (name === 'Null') return { op: undefined, mode, ifExists: false, isNull: true };
  const ifExists = name.endsWith('IfExists');
  const op = OPERATORS.get(ifExists ? name.slice(0, -'IfExists'.length) : name);
  if (!op) throw new Error(`Condition operator "${text}" is not a known operator`);
  return { op, mode, ifExists, isNull: false };
}

function conditionValues(v: JsonValue, operator: string, key: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new Error(`Condition ${operator} "${key}" has an empty list of values`);
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new Error(`Condition ${operator} "${key}" values must be strings, numbers or booleans`);
  });
}

function compileValue(op: Operator, raw: string, variables: boolean, operator: string, key: string): unknown {
  const compiled = op.compile(raw, variables && op.variables);
  if (isError(compiled)) throw new Error(`Condition ${operator} "${key}": ${compiled.error}`);
  return compiled;
}

function nullValue(raw: string, key: string): boolean {
  const b = parseBool(raw);
  if (b === undefined) throw new Error(`Condition Null "${key}": "${raw}" is not true or false`);
  return b;
}
