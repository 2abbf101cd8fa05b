/**
 * BinaryEquals: base64 values, compared byte for byte (canonical base64). No variables.
 */
import { canonicalBase64 } from '../values.js';
import type { Operator } from './operator.js';

export const BinaryEquals: Operator<string> = {
  name: 'BinaryEquals',
  negated: false,
  variables: false,
  compile(raw) {
    return canonicalBase64(raw) ?? { error: `"${raw}" is not base64` };
  },
  test(request, value, ctx) {
    return ctx.memo(request, canonicalBase64) === value;
  },
};
