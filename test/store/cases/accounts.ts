/** Conformance: accounts (first, alias, password policy, revision). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newAccountId } from '../../../src/shared/ids.js';
import { UniqueViolation, type PasswordPolicy, type Store } from '../../../src/store/index.js';
import { newAccount } from '../fixtures.js';

const POLICY: PasswordPolicy = {
  minimumPasswordLength: 14,
  requireSymbols: true,
  requireNumbers: false,
  requireUppercaseCharacters: true,
  requireLowercaseCharacters: false,
  allowUsersToChangePassword: true,
  maxPasswordAge: 90,
  passwordReusePrevention: null,
  hardExpiry: false,
};

export function accountCases(store: () => Store): void {
  describe('accounts', () => {
    it('has no first account in an empty store', async () => {
      assert.equal(await store().accounts.first(), undefined);
    });

    it('creates an account at revision 1 and reads it back', async () => {
      const id = newAccountId();
      const created = await store().accounts.create({ id, createdAt: 5000 });
      const expected = { id, alias: null, passwordPolicy: null, createdAt: 5000, revision: 1 };
      assert.deepEqual(created, expected);
      assert.deepEqual(await store().accounts.get(id), expected);
      assert.equal(await store().accounts.get('000000000000'), undefined);
    });

    it('refuses a second account with the same id', async () => {
      const id = await newAccount(store());
      await assert.rejects(store().accounts.create({ id, createdAt: 1 }), UniqueViolation);
    });

    it('returns the earliest-created account as first()', async () => {
      const later = newAccountId();
      const earliest = newAccountId();
      await store().accounts.create({ id: later, createdAt: 2000 });
      await store().accounts.create({ id: earliest, createdAt: 1000 });
      assert.equal((await store().accounts.first())?.id, earliest);
    });

    it('sets, finds, clears and hands over an alias', async () => {
      const a = await newAccount(store());
      const b = await newAccount(store());
      const alias = `acme-${a}`;
      await store().accounts.setAlias(a, alias);
      assert.equal((await store().accounts.getByAlias(alias))?.id, a);
      assert.equal((await store().accounts.get(a))?.alias, alias);
      await assert.rejects(store().accounts.setAlias(b, alias), (err: unknown) => err instanceof UniqueViolation && err.cause !== undefined);
      assert.equal((await store().accounts.get(b))?.alias, null);
      await store().accounts.setAlias(a, null);
      assert.equal(await store().accounts.getByAlias(alias), undefined);
      await store().accounts.setAlias(b, alias);
      assert.equal((await store().accounts.getByAlias(alias))?.id, b);
    });

    it('round-trips the password policy and clears it', async () => {
      const id = await newAccount(store());
      await store().accounts.setPasswordPolicy(id, POLICY);
      assert.deepEqual((await store().accounts.get(id))?.passwordPolicy, POLICY);
      await store().accounts.setPasswordPolicy(id, null);
      assert.equal((await store().accounts.get(id))?.passwordPolicy, null);
    });

    it('bumps the revision on alias and password-policy changes', async () => {
      const id = await newAccount(store());
      assert.equal(await store().accounts.revision(id), 1);
      await store().accounts.setAlias(id, `rev-${id}`);
      assert.equal(await store().accounts.revision(id), 2);
      await store().accounts.setPasswordPolicy(id, POLICY);
      assert.equal(await store().accounts.revision(id), 3);
      assert.equal((await store().accounts.get(id))?.revision, 3);
    });

    it('refuses the revision of an unknown account', async () => {
      await assert.rejects(store().accounts.revision('000000000001'), /no account 000000000001/);
    });
  });
}
