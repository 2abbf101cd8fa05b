/**
 * Wildcard matching without regular expressions.
 *
 * A pattern is an array of codes: a UTF-16 code unit, or STAR (`*`, any run of
 * characters, including none) or ONE (`?`, exactly one character). Literal `*`
 * and `?` from `${*}` / `${?}` or from substituted variables are plain codes, so
 * they never act as wildcards. Matching is iterative (no recursion, no regex)
 * and allocation-free.
 */

export const STAR = -1;
export const ONE = -2;
const COLON = 0x3a;

export type Pattern = readonly number[];

/** Pattern codes for `text`, where `*` and `?` are wildcards. */
export function globCodes(text: string, out: number[] = []): number[] {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out.push(c === 0x2a ? STAR : c === 0x3f ? ONE : c);
  }
  return out;
}

/** Pattern codes for `text` taken literally. */
export function literalCodes(text: string, out: number[] = []): number[] {
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
  return out;
}

export function hasWildcard(p: Pattern): boolean {
  for (const c of p) if (c < 0) return true;
  return false;
}

/** Whether pat[ps..pe) matches s[ss..se). */
export function globMatchRange(pat: Pattern, ps: number, pe: number, s: string, ss: number, se: number): boolean {
  let p = ps;
  let i = ss;
  let starP = -1;
  let starI = 0;
  while (i < se) {
    const c = p < pe ? pat[p]! : 0;
    if (p < pe && (c === ONE || c === s.charCodeAt(i))) {
      p++;
      i++;
    } else if (p < pe && c === STAR) {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (p < pe && pat[p] === STAR) p++;
  return p === pe;
}

export function globMatch(pat: Pattern, s: string): boolean {
  return globMatchRange(pat, 0, pat.length, s, 0, s.length);
}

/** Whether the pattern is exactly one `*` (or only stars). */
export function isMatchAll(pat: Pattern): boolean {
  if (pat.length === 0) return false;
  for (const c of pat) if (c !== STAR) return false;
  return true;
}

/**
 * ARN matching, segment by segment: the first five colons separate
 * `arn:partition:service:region:account:resource`, and each segment is matched
 * on its own, so a wildcard never crosses a separating colon (the resource
 * segment keeps any further colons). When either side is not a six-part ARN,
 * the whole text is matched as one glob.
 */
export function arnMatch(pat: Pattern, s: string): boolean {
  if (!hasFiveColons(pat, s)) return globMatch(pat, s);
  let ps = 0;
  let ss = 0;
  for (let seg = 0; seg < 5; seg++) {
    const pc = indexOfCode(pat, COLON, ps);
    const sc = s.indexOf(':', ss);
    if (!globMatchRange(pat, ps, pc, s, ss, sc)) return false;
    ps = pc + 1;
    ss = sc + 1;
  }
  return globMatchRange(pat, ps, pat.length, s, ss, s.length);
}

function hasFiveColons(pat: Pattern, s: string): boolean {
  let n = 0;
  for (let i = 0; i < pat.length && n < 5; i++) if (pat[i] === COLON) n++;
  if (n < 5) return false;
  let at = -1;
  for (n = 0; n < 5; n++) {
    at = s.indexOf(':', at + 1);
    if (at < 0) return false;
  }
  return true;
}

function indexOfCode(pat: Pattern, code: number, from: number): number {
  for (let i = from; i < pat.length; i++) if (pat[i] === code) return i;
  return -1;
}
