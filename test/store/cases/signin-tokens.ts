/** Conformance: console sign-in tokens (single use, expiry, sweep). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { UniqueViolation, type SigninTokenRecord, type Store } from '../../../src/store/index.js';
import { newAccount, T0 } from '../fixtures.js';

const FIFTEEN_MINUTES = 15 * 60_000;

const token = (accountId: string, over: Partial<SigninTokenRecord> = {}): SigninTokenRecord => ({
  id: randomBytes(32).toString('base64url'), accountId, payloadCiphertext: 'sealed-session', sessionExpiresAt: T0 + 3_600_000,
  createdAt: T0, expiresAt: T0 + FIFTEEN_MINUTES, ...over,
});

export function signinTokenCases(store: () => Store): void {
  describe('sign-in tokens', () => {
    it('consumes a token once, before it expires', async () => {
      const t = token(await newAccount(store()));
      await store().signinTokens.create(t);
      await assert.rejects(store().signinTokens.create(t), UniqueViolation);
      assert.deepEqual(await store().signinTokens.consume(t.id, T0 + 1), t);
      assert.equal(await store().signinTokens.consume(t.id, T0 + 2), undefined);
      assert.equal(await store().signinTokens.consume('no-such-token', T0), undefined);
    });

    it('refuses a token at and after its expiry', async () => {
      const t = token(await newAccount(store()));
      await store().signinTokens.create(t);
      assert.equal(await store().signinTokens.consume(t.id, t.expiresAt), undefined);
      assert.equal(await store().signinTokens.consume(t.id, t.expiresAt + 1), undefined);
      assert.deepEqual(await store().signinTokens.consume(t.id, t.expiresAt - 1), t);
    });

    it('lets exactly one of ten concurrent consumers win', async () => {
      const t = token(await newAccount(store()));
      await store().signinTokens.create(t);
      const results = await Promise.all(Array.from({ length: 10 }, () => store().signinTokens.consume(t.id, T0 + 5)));
      assert.equal(results.filter((r) => r !== undefined).length, 1);
      assert.deepEqual(results.find((r) => r !== undefined), t);
    });

    it('sweeps expired tokens only, counting them', async () => {
      const account = await newAccount(store());
      // Far before T0, so other cases' tokens (expiring after T0) are never swept here.
      const base = 1_000_000_000_000;
      const expired = [token(account, { expiresAt: base - 2 }), token(account, { expiresAt: base })];
      const live = token(account, { createdAt: base, expiresAt: base + FIFTEEN_MINUTES });
      for (const t of [...expired, live]) await store().signinTokens.create(t);
      assert.equal(await store().signinTokens.sweep(base), 2);
      assert.equal(await store().signinTokens.sweep(base), 0);
      assert.equal(await store().signinTokens.consume(expired[0]!.id, base - 10), undefined);
      assert.deepEqual(await store().signinTokens.consume(live.id, base + 1), live);
    });
  });
}
