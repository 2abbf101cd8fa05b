/**
 * Numeric operators: NumericEquals, NumericNotEquals, NumericLessThan,
 * NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals.
 * Values are integers or decimals; a request value that is not a number never matches.
 * No policy variables.
 */
import { parseNumber } from '../values.js';
import type { Operator } from './operator.js';

function numeric(name: string, negated: boolean, cmp: (request: number, policy: number) => boolean): Operator<number> {
  return {
    name,
    negated,
    variables: false,
    compile(raw) {
      const n = parseNumber(raw);
      return n === undefined ? { error: `"${raw}" is not a number` } : n;
    },
    test(request, value, ctx) {
      const n = ctx.memo(request, parseNumber);
      return n !== undefined && cmp(n, value);
    },
  };
}

export const numericOperators: Operator[] = [
  numeric('NumericEquals', false, (a, b) => a === b),
  numeric('NumericNotEquals', true, (a, b) => a === b),
  numeric('NumericLessThan', false, (a, b) => a < b),
  numeric('NumericLessThanEquals', false, (a, b) => a <= b),
  numeric('NumericGreaterThan', false, (a, b) => a > b),
  numeric('NumericGreaterThanEquals', false, (a, b) => a >= b),
] as Operator[];
