/**
 * Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`,
 * and the escapes `${*}`, `${?}`, `${$}` (the literal characters).
 *
 * - Variables exist only in 2012-10-17 documents; in 2008-10-17 the text is literal.
 * - Key names are case-insensitive; defaults are case-sensitive; `''` inside a default is a quote.
 * - Substitution is one round: a default or a value containing `${…}` stays literal.
 * - Substituted text is literal: a `*` inside a value is never a wildcard.
 * - A key that is absent or multivalued, with no default, leaves the template
 *   unresolved; so does a malformed `${…`. An unresolved entry matches nothing
 *   (so a negated operator or NotResource holds for it), as AWS documents.
 */
import type { RequestContext } from './context.js';
import { globCodes, literalCodes, type Pattern } from './wildcard.js';

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'char'; text: string }
  | { kind: 'var'; key: string; fallback: string | undefined }
  | { kind: 'broken' };

export class Template {
  /** The text when the template has no variables (escapes applied). */
  readonly constantText: string | undefined;
  /** Wildcard pattern codes when the template has no variables. */
  readonly constantPattern: Pattern | undefined;
  readonly hasVariables: boolean;

  constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {
    this.hasVariables = parts.some((p) => p.kind === 'var' || p.kind === 'broken');
    if (!this.hasVariables) {
      this.constantText = parts.map((p) => (p as { text: string }).text).join('');
      const codes: number[] = [];
      for (const p of parts) (p.kind === 'text' ? globCodes : literalCodes)((p as { text: string }).text, codes);
      this.constantPattern = codes;
    }
  }

  /** The literal text before the first wildcard or variable. */
  literalPrefix(): string {
    let out = '';
    for (const p of this.parts) {
      if (p.kind === 'char') {
        out += p.text;
        continue;
      }
      if (p.kind !== 'text') return out;
      const w = p.text.search(/[*?]/);
      if (w >= 0) return out + p.text.slice(0, w);
      out += p.text;
    }
    return out;
  }

  /**
   * The template cut at its first `count - 1` literal colons into `count`
   * templates (the last keeps any further colons), or undefined when it has fewer.
   */
  splitSegments(count: number): Template[] | undefined {
    const segments: Part[][] = [[]];
    for (const p of this.parts) {
      if (p.kind !== 'text') {
        segments[segments.length - 1]!.push(p);
        continue;
      }
      let rest = p.text;
      let colon: number;
      while (segments.length < count && (colon = rest.indexOf(':')) >= 0) {
        if (colon > 0) segments[segments.length - 1]!.push({ kind: 'text', text: rest.slice(0, colon) });
        segments.push([]);
        rest = rest.slice(colon + 1);
      }
      if (rest !== '') segments[segments.length - 1]!.push({ kind: 'text', text: rest });
    }
    if (segments.length < count) return undefined;
    return segments.map((parts) => new Template(this.source, parts.length > 0 ? parts : [{ kind: 'text', text: '' }]));
  }

  /** The text with variables substituted, or undefined when a variable cannot be resolved. */
  resolveText(ctx: RequestContext): string | undefined {
    if (this.constantText !== undefined) return this.constantText;
    let out = '';
    for (const p of this.parts) {
      const piece = resolvePart(p, ctx);
      if (piece === undefined) return undefined;
      out += piece;
    }
    return out;
  }

  /** Wildcard pattern codes with variables substituted as literal text, or undefined when unresolved. */
  resolvePattern(ctx: RequestContext): Pattern | undefined {
    if (this.constantPattern !== undefined) return this.constantPattern;
    const codes: number[] = [];
    for (const p of this.parts) {
      if (p.kind === 'text') {
        globCodes(p.text, codes);
        continue;
      }
      const piece = resolvePart(p, ctx);
      if (piece === undefined) return undefined;
      literalCodes(piece, codes);
    }
    return codes;
  }
}

function resolvePart(p: Part, ctx: RequestContext): string | undefined {
  switch (p.kind) {
    case 'text':
    case 'char':
      return p.text;
    case 'var':
      return ctx.single(p.key) ?? p.fallback;
    case 'broken':
      return undefined;
  }
}

const ESCAPED: ReadonlyMap<string, string> = new Map([
  ['*', '*'],
  ['?', '?'],
  ['$', '$'],
]);
const KEY = /^[A-Za-z0-9_.:/@+=-]+$/;

/** Parses `text`; with `variables` false (2008-10-17) the whole text is literal. */
export function parseTemplate(text: string, variables: boolean): Template {
  if (!variables || !text.includes('${')) return new Template(text, [{ kind: 'text', text }]);
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('${', i);
    if (open < 0) {
      parts.push({ kind: 'text', text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: 'text', text: text.slice(i, open) });
    const parsed = parseVariable(text, open + 2);
    parts.push(parsed.part);
    i = parsed.end;
  }
  return new Template(text, parts);
}

/** Parses the inside of `${…}` starting at `at`; returns the part and the index after `}`. */
function parseVariable(text: string, at: number): { part: Part; end: number } {
  const close = findClose(text, at);
  if (close < 0) return { part: { kind: 'broken' }, end: text.length };
  const body = text.slice(at, close);
  const escaped = ESCAPED.get(body);
  if (escaped !== undefined) return { part: { kind: 'char', text: escaped }, end: close + 1 };
  const comma = body.indexOf(',');
  const key = (comma < 0 ? body : body.slice(0, comma)).trim();
  if (!KEY.test(key)) return { part: { kind: 'broken' }, end: close + 1 };
  if (comma < 0) return { part: { kind: 'var', key: key.toLowerCase(), fallback: undefined }, end: close + 1 };
  const fallback = parseDefault(body.slice(comma + 1).trim());
  if (fallback === undefined) return { part: { kind: 'broken' }, end: close + 1 };
  return { part: { kind: 'var', key: key.toLowerCase(), fallback }, end: close + 1 };
}

/** The closing `}` of a variable, skipping over a quoted default (where `''` is a quote). */
function findClose(text: string, at: number): number {
  let quoted = false;
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      if (quoted && text[i + 1] === "'") i++;
      else quoted = !quoted;
    } else if (c === '}' && !quoted) {
      return i;
    }
  }
  return -1;
}

/** `'text'` with `''` standing for a quote; undefined when not of that form. */
function parseDefault(raw: string): string | undefined {
  if (raw.length < 2 || raw[0] !== "'" || raw[raw.length - 1] !== "'") return undefined;
  const inner = raw.slice(1, -1);
  if (inner.replace(/''/g, '').includes("'")) return undefined;
  return inner.replace(/''/g, "'");
}
