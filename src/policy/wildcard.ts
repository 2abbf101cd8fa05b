/**
 * Wildcard matching without regular expressions, in time linear in pattern + text.
 *
 * A pattern is an array of codes: a UTF-16 code unit, or STAR (`*`, any run of
 * characters, including none) or ONE (`?`, exactly one character). Literal `*`
 * and `?` from `${*}` / `${?}` or from substituted variables are plain codes, so
 * they never act as wildcards.
 *
 * A pattern compiles once into a Glob: the piece before the first `*` must match
 * at the start, the piece after the last `*` at the end, and each piece between
 * is found leftmost after the previous one (leftmost is always safe for `*`).
 * Finding a piece costs text + piece: `indexOf` for short literal pieces, KMP for
 * long ones, and a bit-parallel Shift-And scan (text × piece/32) for pieces with
 * `?`. There is no backtracking, so no input costs pattern length × text length
 * (the old matcher did, SECURITY.md H1). Constant patterns are compiled once and
 * cached by identity; matching allocates nothing.
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

/** Whether the pattern is exactly one `*` (or only stars). */
export function isMatchAll(pat: Pattern): boolean {
  if (pat.length === 0) return false;
  for (const c of pat) if (c !== STAR) return false;
  return true;
}

/** Pieces at most this long are found with String.prototype.indexOf (at worst text × 32). */
const INDEXOF_MAX = 32;

/** A run of codes without `*`: literal codes and `?`. */
class Piece {
  readonly length: number;
  private readonly hasOne: boolean;
  /** Literal pieces: the text, and KMP's failure table when the piece is long. */
  private readonly text: string;
  private readonly fail: Int32Array | undefined;
  /** Pieces with `?`: Shift-And masks per code, the mask of a code the piece does not hold, and the state. */
  private readonly masks: Map<number, Int32Array> | undefined;
  private readonly otherMask: Int32Array | undefined;
  private readonly state: Int32Array | undefined;
  /** Pieces with `?` of at most 32 codes: one mask word per code below 256 (others: `otherWord`). */
  private readonly lowWords: Int32Array | undefined;
  private readonly otherWord: number = 0;

  constructor(private readonly codes: Pattern) {
    this.length = codes.length;
    this.hasOne = codes.includes(ONE);
    this.text = this.hasOne ? '' : codesToString(codes);
    this.fail = !this.hasOne && codes.length > INDEXOF_MAX ? failureTable(codes) : undefined;
    if (this.hasOne) {
      const words = (codes.length + 31) >>> 5;
      this.otherMask = new Int32Array(words);
      this.masks = new Map();
      for (let j = 0; j < codes.length; j++) if (codes[j] === ONE) this.otherMask[j >>> 5]! |= 1 << (j & 31);
      for (let j = 0; j < codes.length; j++) {
        const c = codes[j]!;
        if (c === ONE || this.masks.has(c)) continue;
        const m = Int32Array.from(this.otherMask);
        for (let k = j; k < codes.length; k++) if (codes[k] === c) m[k >>> 5]! |= 1 << (k & 31);
        this.masks.set(c, m);
      }
      this.state = new Int32Array(words);
      if (words === 1) {
        this.otherWord = this.otherMask[0]!;
        this.lowWords = new Int32Array(256).fill(this.otherWord);
        for (const [c, m] of this.masks) if (c < 256) this.lowWords[c] = m[0]!;
      }
    }
  }

  /** Whether the piece matches s at `at` (the caller checked that it fits). */
  matchAt(s: string, at: number): boolean {
    if (!this.hasOne) return s.startsWith(this.text, at);
    const codes = this.codes;
    for (let j = 0; j < codes.length; j++) {
      const c = codes[j]!;
      if (c !== ONE && c !== s.charCodeAt(at + j)) return false;
    }
    return true;
  }

  /** The leftmost start i ≥ from with the piece inside s[from, limit), or -1. */
  find(s: string, from: number, limit: number): number {
    const len = this.length;
    if (limit - from < len) return -1;
    if (this.hasOne) return this.shiftAnd(s, from, limit);
    if (this.fail === undefined) {
      const i = s.indexOf(this.text, from);
      return i >= 0 && i + len <= limit ? i : -1;
    }
    return this.kmp(s, from, limit);
  }

  private kmp(s: string, from: number, limit: number): number {
    const codes = this.codes;
    const fail = this.fail!;
    const len = this.length;
    let j = 0;
    for (let i = from; i < limit; i++) {
      const c = s.charCodeAt(i);
      while (j > 0 && codes[j] !== c) j = fail[j - 1]!;
      if (codes[j] === c) j++;
      if (j === len) return i - len + 1;
    }
    return -1;
  }

  private shiftAnd(s: string, from: number, limit: number): number {
    const len = this.length;
    const low = this.lowWords;
    if (low !== undefined) {
      const hit = 1 << (len - 1);
      let d = 0;
      for (let i = from; i < limit; i++) {
        const c = s.charCodeAt(i);
        d = ((d << 1) | 1) & (c < 256 ? low[c]! : (this.masks!.get(c)?.[0] ?? this.otherWord));
        if ((d & hit) !== 0) return i - len + 1;
      }
      return -1;
    }
    const d = this.state!;
    const words = d.length;
    const last = (len - 1) >>> 5;
    const lastBit = 1 << ((len - 1) & 31);
    d.fill(0);
    for (let i = from; i < limit; i++) {
      const m = this.masks!.get(s.charCodeAt(i)) ?? this.otherMask!;
      let carry = 1;
      for (let w = 0; w < words; w++) {
        const old = d[w]!;
        d[w] = ((old << 1) | carry) & m[w]!;
        carry = old >>> 31;
      }
      if ((d[last]! & lastBit) !== 0) return i - len + 1;
    }
    return -1;
  }
}

function codesToString(codes: Pattern): string {
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCharCode(...codes.slice(i, i + 4096));
  return out;
}

/** KMP: fail[j] is the length of the longest proper border of codes[0..j]. */
function failureTable(codes: Pattern): Int32Array {
  const fail = new Int32Array(codes.length);
  let k = 0;
  for (let j = 1; j < codes.length; j++) {
    while (k > 0 && codes[j] !== codes[k]) k = fail[k - 1]!;
    if (codes[j] === codes[k]) k++;
    fail[j] = k;
  }
  return fail;
}

/** A compiled glob: `head *middle[0]* … *middle[n-1]* tail`, or one piece when there is no `*`. */
export class Glob {
  private readonly head: Piece;
  /** undefined when the pattern has no `*` (then `head` must cover the whole text). */
  private readonly tail: Piece | undefined;
  private readonly middle: readonly Piece[];
  private readonly minLength: number;

  constructor(pat: Pattern, ps = 0, pe = pat.length) {
    const pieces: Pattern[] = [];
    let from = ps;
    for (let i = ps; i < pe; i++) {
      if (pat[i] !== STAR) continue;
      pieces.push(pat.slice(from, i));
      from = i + 1;
    }
    pieces.push(pat.slice(from, pe));
    this.head = new Piece(pieces[0]!);
    this.tail = pieces.length > 1 ? new Piece(pieces[pieces.length - 1]!) : undefined;
    this.middle = pieces.slice(1, -1).filter((p) => p.length > 0).map((p) => new Piece(p));
    this.minLength = this.head.length + (this.tail?.length ?? 0) + this.middle.reduce((n, p) => n + p.length, 0);
  }

  /** The compiled form of a pattern array, cached by identity (constant patterns are compiled once). */
  static of(pat: Pattern): Glob {
    let g = CACHE.get(pat);
    if (g === undefined) {
      g = new Glob(pat);
      CACHE.set(pat, g);
    }
    return g;
  }

  /** Whether the glob matches s[ss, se). */
  matches(s: string, ss = 0, se = s.length): boolean {
    const n = se - ss;
    const head = this.head;
    const tail = this.tail;
    if (tail === undefined) return n === head.length && head.matchAt(s, ss);
    if (n < this.minLength || !head.matchAt(s, ss) || !tail.matchAt(s, se - tail.length)) return false;
    let at = ss + head.length;
    const limit = se - tail.length;
    const middle = this.middle;
    for (let k = 0; k < middle.length; k++) {
      const found = middle[k]!.find(s, at, limit);
      if (found < 0) return false;
      at = found + middle[k]!.length;
    }
    return true;
  }
}

const CACHE = new WeakMap<Pattern, Glob>();

/** Whether pat[ps..pe) matches s[ss..se). */
export function globMatchRange(pat: Pattern, ps: number, pe: number, s: string, ss: number, se: number): boolean {
  const g = ps === 0 && pe === pat.length ? Glob.of(pat) : new Glob(pat, ps, pe);
  return g.matches(s, ss, se);
}

export function globMatch(pat: Pattern, s: string): boolean {
  return Glob.of(pat).matches(s, 0, s.length);
}

/**
 * An ARN pattern compiled segment by segment: the first five colons separate
 * `arn:partition:service:region:account:resource`, and each segment is matched
 * on its own, so a wildcard never crosses a separating colon (the resource
 * segment keeps any further colons). When either side is not a six-part ARN,
 * the whole text is matched as one glob.
 */
export class ArnGlob {
  private readonly segments: Glob[] | undefined;
  private whole: Glob | undefined;

  constructor(private readonly pat: Pattern) {
    const cuts: number[] = [];
    for (let i = 0; i < pat.length && cuts.length < 5; i++) if (pat[i] === COLON) cuts.push(i);
    if (cuts.length === 5) {
      const starts = [0, ...cuts.map((c) => c + 1)];
      const ends = [...cuts, pat.length];
      this.segments = starts.map((s, i) => new Glob(pat, s, ends[i]!));
    }
  }

  static of(pat: Pattern): ArnGlob {
    let g = ARN_CACHE.get(pat);
    if (g === undefined) {
      g = new ArnGlob(pat);
      ARN_CACHE.set(pat, g);
    }
    return g;
  }

  matches(s: string): boolean {
    const segs = this.segments;
    const c0 = s.indexOf(':');
    const c1 = c0 < 0 ? -1 : s.indexOf(':', c0 + 1);
    const c2 = c1 < 0 ? -1 : s.indexOf(':', c1 + 1);
    const c3 = c2 < 0 ? -1 : s.indexOf(':', c2 + 1);
    const c4 = c3 < 0 ? -1 : s.indexOf(':', c3 + 1);
    if (segs !== undefined && c4 >= 0) {
      return (
        segs[0]!.matches(s, 0, c0) &&
        segs[1]!.matches(s, c0 + 1, c1) &&
        segs[2]!.matches(s, c1 + 1, c2) &&
        segs[3]!.matches(s, c2 + 1, c3) &&
        segs[4]!.matches(s, c3 + 1, c4) &&
        segs[5]!.matches(s, c4 + 1, s.length)
      );
    }
    this.whole ??= new Glob(this.pat);
    return this.whole.matches(s);
  }
}

const ARN_CACHE = new WeakMap<Pattern, ArnGlob>();

export function arnMatch(pat: Pattern, s: string): boolean {
  return ArnGlob.of(pat).matches(s);
}
