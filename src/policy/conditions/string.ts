/**
 * String operators. Policy variables are substituted in their values.
 * - StringEquals / StringNotEquals: exact, case-sensitive.
 * - StringEqualsIgnoreCase / StringNotEqualsIgnoreCase: exact, case-insensitive.
 * - StringLike / StringNotLike: case-sensitive, with `*` and `?` anywhere.
 */
import { parseTemplate, type Template } from '../template.js';
import { globMatch } from '../wildcard.js';
import { pair, type Operator } from './operator.js';

const compile = (raw: string, variables: boolean): Template => parseTemplate(raw, variables);

export const [StringEquals, StringNotEquals] = pair<Template>('StringEquals', 'StringNotEquals', {
  variables: true,
  compile,
  test(request, value, ctx) {
    const expected = value.resolveText(ctx);
    return expected === undefined ? undefined : request === expected;
  },
});

interface FoldedTemplate {
  template: Template;
  folded: string | undefined;
}

export const [StringEqualsIgnoreCase, StringNotEqualsIgnoreCase] = pair<FoldedTemplate>(
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  {
    variables: true,
    compile(raw, variables) {
      const template = parseTemplate(raw, variables);
      return { template, folded: template.constantText?.toLowerCase() };
    },
    test(request, value, ctx) {
      const expected = value.folded ?? value.template.resolveText(ctx)?.toLowerCase();
      return expected === undefined ? undefined : request.toLowerCase() === expected;
    },
  },
);

export const [StringLike, StringNotLike] = pair<Template>('StringLike', 'StringNotLike', {
  variables: true,
  compile,
  test(request, value, ctx) {
    const pattern = value.resolvePattern(ctx);
    return pattern === undefined ? undefined : globMatch(pattern, request);
  },
});

export const stringOperators: Operator[] = [
  StringEquals,
  StringNotEquals,
  StringEqualsIgnoreCase,
  StringNotEqualsIgnoreCase,
  StringLike,
  StringNotLike,
] as Operator[];
