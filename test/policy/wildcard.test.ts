/**
 * The wildcard matcher (src/policy/wildcard.ts), SECURITY.md H1:
 * - it agrees with a plain dynamic-programming reference matcher on random patterns and
 *   strings (globs, and ARNs matched segment by segment), with `*`, `?` and literal codes;
 * - its cost is linear in pattern + text for `*`-separated literal pieces: the shapes that
 *   made the old backtracking matcher pay pattern length × text length run in milliseconds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { arnMatch, Glob, globCodes, globMatch, globMatchRange, literalCodes, ONE, STAR, type Pattern } from '../../src/policy/wildcard.js';

fc.configureGlobal({ includeErrorInReport: true });

/** Reference: does pat[ps..pe) match s[ss..se)? Dynamic programming over every pair. */
function refGlob(pat: Pattern, s: string): boolean {
  const m = pat.length;
  const n = s.length;
  let prev = new Array<boolean>(n + 1).fill(false);
  prev[0] = true;
  for (let i = 1; i <= m; i++) {
    const c = pat[i - 1]!;
    const cur = new Array<boolean>(n + 1).fill(false);
    cur[0] = c === STAR && prev[0]!;
    for (let j = 1; j <= n; j++) {
      if (c === STAR) cur[j] = prev[j]! || cur[j - 1]!;
      else cur[j] = prev[j - 1]! && (c === ONE || c === s.charCodeAt(j - 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

/** Reference ARN matching: six segments matched on their own when both sides have five colons. */
function refArn(pat: Pattern, s: string): boolean {
  const colon = 0x3a;
  const patCuts: number[] = [];
  for (let i = 0; i < pat.length && patCuts.length < 5; i++) if (pat[i] === colon) patCuts.push(i);
  const sParts = s.split(':');
  if (patCuts.length < 5 || sParts.length < 6) return refGlob(pat, s);
  const patSegs: Pattern[] = [];
  let from = 0;
  for (const cut of patCuts) {
    patSegs.push(pat.slice(from, cut));
    from = cut + 1;
  }
  patSegs.push(pat.slice(from));
  const sSegs = [...sParts.slice(0, 5), sParts.slice(5).join(':')];
  return patSegs.every((p, i) => refGlob(p, sSegs[i]!));
}

// A small alphabet, so that matches and near-misses are both common.
const text = fc.string({ unit: fc.constantFrom('a', 'b', ':', '/'), maxLength: 24 });
const pattern = fc.array(fc.constantFrom<number>(STAR, ONE, 0x61, 0x62, 0x3a, 0x2f), { maxLength: 16 });
/** A text that matches the pattern (wildcards filled at random), so positives are tested too. */
const filled = (p: Pattern) =>
  fc
    .array(fc.string({ unit: fc.constantFrom('a', 'b', ':', '/'), maxLength: 4 }), { minLength: p.length, maxLength: p.length })
    .map((fills) => p.map((c, i) => (c === STAR ? fills[i]! : c === ONE ? (fills[i]![0] ?? 'a') : String.fromCharCode(c))).join(''));
const matching = pattern.chain((p) => filled(p).map((s) => ({ pat: p, s })));

describe('wildcard matcher (SECURITY.md H1)', () => {
  it('agrees with the reference matcher on random globs and texts', () => {
    let positives = 0;
    fc.assert(
      fc.property(pattern, text, (pat, s) => {
        const want = refGlob(pat, s);
        if (want) positives++;
        assert.equal(globMatch(pat, s), want);
        assert.equal(new Glob(pat).matches(s), want);
        assert.equal(Glob.of(pat).matches(`xx${s}yy`, 2, 2 + s.length), want, 'a range inside a longer text');
      }),
      { numRuns: 5000 },
    );
    assert.ok(positives > 100, `only ${positives} matching cases were generated`);
  });

  it('matches every text built from the pattern', () => {
    fc.assert(
      fc.property(matching, ({ pat, s }) => {
        assert.equal(refGlob(pat, s), true);
        assert.equal(globMatch(pat, s), true);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with the reference on ARNs, segment by segment', () => {
    const arnText = fc.array(text, { minLength: 4, maxLength: 8 }).map((parts) => parts.join(':'));
    const arnPat = fc.array(pattern, { minLength: 4, maxLength: 8 }).map((parts) => parts.flatMap((p, i) => (i === 0 ? p : [0x3a, ...p])));
    let positives = 0;
    fc.assert(
      fc.property(arnPat.chain((p) => fc.tuple(fc.constant(p), fc.oneof(arnText, filled(p)))), ([pat, s]) => {
        const want = refArn(pat, s);
        if (want) positives++;
        assert.equal(arnMatch(pat, s), want);
      }),
      { numRuns: 5000 },
    );
    assert.ok(positives > 50, `only ${positives} matching ARN cases were generated`);
  });

  it('literal codes from ${*} and ${?} are never wildcards; ranges are honoured', () => {
    const lit = literalCodes('a*b?');
    assert.equal(globMatch(lit, 'a*b?'), true);
    assert.equal(globMatch(lit, 'axxb!'), false);
    assert.equal(globMatch(globCodes('a*b?'), 'axxb!'), true);
    const p = globCodes('--a*c--');
    assert.equal(globMatchRange(p, 2, 5, 'zzabbbczz', 2, 7), true);
    assert.equal(globMatchRange(p, 2, 5, 'zzabbbczz', 2, 6), false);
  });

  it('long literal pieces between stars cost pattern + text, not pattern × text', () => {
    // The old backtracking matcher re-compared the piece at every start: 20,000 × 40,000 steps.
    const piece = 'a'.repeat(20_000);
    const hostile = globCodes(`*${piece}b`);
    const s = 'a'.repeat(40_000);
    let t = performance.now();
    assert.equal(globMatch(hostile, s), false);
    assert.equal(globMatch(globCodes(`*${piece}*${piece}b*`), s), false);
    assert.equal(arnMatch(globCodes(`arn:aws:s3:::*${piece}b`), `arn:aws:s3:::${s}`), false);
    assert.equal(globMatch(globCodes(`*${piece}`), s), true);
    const literal = performance.now() - t;
    assert.ok(literal < 100, `literal pieces took ${literal.toFixed(1)} ms`);

    // Pieces with `?` use a bit-parallel scan: pattern/32 × text.
    t = performance.now();
    assert.equal(globMatch(globCodes(`*${'a?'.repeat(1_000)}b`), s), false);
    const withOne = performance.now() - t;
    assert.ok(withOne < 100, `a piece with ? took ${withOne.toFixed(1)} ms`);
  });
});
