/** tokenBytes (src/shared/random.ts): pooled CSPRNG bytes for session ids and form tokens. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenBytes } from '../../src/shared/random.js';

describe('tokenBytes', () => {
  it('gives the length asked for, never the same bytes twice, across many refills of the buffer', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const n = [16, 24, 32, 200][i % 4]!;
      const b = tokenBytes(n);
      assert.equal(b.length, n);
      const hex = b.toString('hex');
      assert.ok(!seen.has(hex), `a repeat after ${i} draws`);
      assert.notEqual(hex, '00'.repeat(n), 'zeroed (already used) bytes handed out');
      seen.add(hex);
    }
  });

  it('each caller owns its copy: a token stays as it was after the buffer is refilled', () => {
    const token = tokenBytes(32);
    const kept = token.toString('hex');
    for (let i = 0; i < 40; i++) tokenBytes(200); // more than the 4 KiB buffer: at least one refill
    assert.equal(token.toString('hex'), kept);
  });

  it('byte values are spread evenly (a chi-square sanity check over 256 KiB)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 1024; i++) for (const x of tokenBytes(256)) counts[x]!++;
    const expected = (1024 * 256) / 256;
    const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    assert.ok(chi < 400, `chi-square ${chi.toFixed(0)} (255 degrees of freedom; 400 is far in the tail)`);
  });

  it('larger requests come straight from the generator', () => {
    const big = tokenBytes(1000);
    assert.equal(big.length, 1000);
    assert.notEqual(big.toString('hex'), tokenBytes(1000).toString('hex'));
  });
});
