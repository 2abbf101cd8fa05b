/**
 * Bool: the request value equals `true` or `false` (case-insensitive). No variables.
 */
import { parseBool } from '../values.js';
import type { Operator } from './operator.js';

export const Bool: Operator<boolean> = {
  name: 'Bool',
  negated: false,
  variables: false,
  compile(raw) {
    const b = parseBool(raw);
    return b === undefined ? { error: `"${raw}" is not true or false` } : b;
  },
  test(request, value) {
    return parseBool(request) === value;
  },
};
