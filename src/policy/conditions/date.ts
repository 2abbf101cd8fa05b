/**
 * Date operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
 * DateGreaterThan, DateGreaterThanEquals. Values are ISO-8601 dates/times or
 * epoch seconds, compared as instants. A request value that is not a date never
 * matches. No policy variables.
 */
import { parseDate } from '../values.js';
import type { Operator } from './operator.js';

function date(name: string, negated: boolean, cmp: (request: number, policy: number) => boolean): Operator<number> {
  return {
    name,
    negated,
    variables: false,
    compile(raw) {
      const ms = parseDate(raw);
      return ms === undefined ? { error: `"${raw}" is not an ISO-8601 date or epoch seconds` } : ms;
    },
    test(request, value, ctx) {
      const ms = ctx.memo(request, parseDate);
      return ms !== undefined && cmp(ms, value);
    },
  };
}

export const dateOperators: Operator[] = [
  date('DateEquals', false, (a, b) => a === b),
  date('DateNotEquals', true, (a, b) => a === b),
  date('DateLessThan', false, (a, b) => a < b),
  date('DateLessThanEquals', false, (a, b) => a <= b),
  date('DateGreaterThan', false, (a, b) => a > b),
  date('DateGreaterThanEquals', false, (a, b) => a >= b),
] as Operator[];
