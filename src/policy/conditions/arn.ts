/**
 * ARN operators. ArnEquals and ArnLike behave the same, as AWS documents: each
 * of the six colon-separated parts is matched on its own, case-sensitively, with
 * `*` and `?`. ArnNotEquals / ArnNotLike are their negations. Policy variables
 * are substituted in their values.
 */
import { parseTemplate, type Template } from '../template.js';
import { arnMatch } from '../wildcard.js';
import { pair, type Operator } from './operator.js';

const base: Omit<Operator<Template>, 'name' | 'negated'> = {
  variables: true,
  compile: (raw, variables) => parseTemplate(raw, variables),
  test(request, value, ctx) {
    const pattern = value.resolvePattern(ctx);
    return pattern === undefined ? undefined : arnMatch(pattern, request);
  },
};

export const [ArnEquals, ArnNotEquals] = pair<Template>('ArnEquals', 'ArnNotEquals', base);
export const [ArnLike, ArnNotLike] = pair<Template>('ArnLike', 'ArnNotLike', base);
