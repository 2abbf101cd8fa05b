/** Conformance: access keys, login profiles and MFA devices. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { accessKey, allPages, mfaDevice, newAccount, T0, user } from '../fixtures.js';

export function credentialCases(store: () => Store): void {
  describe('access keys', () => {
    it('lists a user’s keys and the root’s keys apart, oldest first', async () => {
      const account = await newAccount(store());
      const u = user(account, 'keyed');
      await store().users.create(u);
      const newer = accessKey(account, u.id, { createdAt: T0 + 10 });
      const older = accessKey(account, u.id, { createdAt: T0 + 5 });
      const root = accessKey(account, null, { createdAt: T0 + 1 });
      for (const k of [newer, older, root]) await store().accessKeys.create(k);
      assert.deepEqual(await store().accessKeys.listFor(account, u.id), [older, newer]);
      assert.deepEqual(await store().accessKeys.listFor(account, null), [root]);
      assert.deepEqual(await store().accessKeys.get(newer.id), newer);
      assert.equal(await store().accessKeys.get('AKIANOSUCHKEY0000000'), undefined);
      await assert.rejects(store().accessKeys.create(newer), UniqueViolation);
    });

    it('sets the status, records use (never backwards) and deletes', async () => {
      const account = await newAccount(store());
      const k = accessKey(account, null);
      await store().accessKeys.create(k);
      assert.equal(await store().accessKeys.setStatus(k.id, 'Inactive'), true);
      assert.equal((await store().accessKeys.get(k.id))?.status, 'Inactive');
      assert.equal(await store().accessKeys.setStatus('AKIANOSUCHKEY0000000', 'Active'), false);
      await store().accessKeys.recordUse(k.id, T0 + 100, 'iam', 'us-east-1');
      await store().accessKeys.recordUse(k.id, T0 + 50, 'sts', 'eu-west-1');
      assert.deepEqual(await store().accessKeys.get(k.id), { ...k, status: 'Inactive', lastUsedAt: T0 + 100, lastUsedService: 'iam', lastUsedRegion: 'us-east-1' });
      assert.equal(await store().accessKeys.delete(k.id), true);
      assert.equal(await store().accessKeys.delete(k.id), false);
      assert.deepEqual(await store().accessKeys.listFor(account, null), []);
    });

    it('refuses to delete a user who still has keys', async () => {
      const account = await newAccount(store());
      const u = user(account, 'holder');
      await store().users.create(u);
      const k = accessKey(account, u.id);
      await store().accessKeys.create(k);
      await assert.rejects(store().users.delete(u.id));
      await store().accessKeys.delete(k.id);
      assert.equal(await store().users.delete(u.id), true);
    });
  });

  describe('login profiles', () => {
    it('puts, replaces, reads and deletes a profile', async () => {
      const account = await newAccount(store());
      const u = user(account, 'console');
      await store().users.create(u);
      assert.equal(await store().loginProfiles.get(u.id), undefined);
      const one = { userId: u.id, passwordHash: '$argon2id$one', resetRequired: true, createdAt: T0, passwordChangedAt: T0, previousHashes: [] };
      await store().loginProfiles.put(one);
      assert.deepEqual(await store().loginProfiles.get(u.id), one);
      const two = { userId: u.id, passwordHash: '$argon2id$two', resetRequired: false, createdAt: T0, passwordChangedAt: T0 + 5, previousHashes: ['$argon2id$one'] };
      await store().loginProfiles.put(two);
      assert.deepEqual(await store().loginProfiles.get(u.id), two);
      // The history keeps the 24 newest hashes.
      const long = Array.from({ length: 30 }, (_, i) => `$argon2id$old-${i}`);
      await store().loginProfiles.put({ ...two, previousHashes: long });
      assert.deepEqual((await store().loginProfiles.get(u.id))?.previousHashes, long.slice(0, 24));
      await assert.rejects(store().users.delete(u.id));
      assert.equal(await store().loginProfiles.delete(u.id), true);
      assert.equal(await store().loginProfiles.delete(u.id), false);
      assert.equal(await store().loginProfiles.get(u.id), undefined);
    });

    it('refuses a profile for an unknown user', async () => {
      await assert.rejects(store().loginProfiles.put({ userId: 'AIDANOSUCHUSER000000', passwordHash: 'h', resetRequired: false, createdAt: T0, passwordChangedAt: T0, previousHashes: [] }));
    });
  });

  describe('MFA devices', () => {
    it('creates, assigns, lists by assignment, unassigns and deletes a device', async () => {
      const account = await newAccount(store());
      const u = user(account, 'mfa-user');
      await store().users.create(u);
      const d = mfaDevice(account, 'phone');
      const spare = mfaDevice(account, 'spare');
      await store().mfaDevices.create(d);
      await store().mfaDevices.create(spare);
      await assert.rejects(store().mfaDevices.create(d), UniqueViolation);
      assert.deepEqual(await store().mfaDevices.get(d.serial), d);
      await store().mfaDevices.assign(d.serial, u.id, T0 + 7);
      const assigned = { ...d, userId: u.id, enabledAt: T0 + 7 };
      assert.deepEqual(await store().mfaDevices.get(d.serial), assigned);
      assert.deepEqual(await store().mfaDevices.listForUser(u.id), [assigned]);
      assert.deepEqual((await store().mfaDevices.list(account, { limit: 10, assigned: true })).items, [assigned]);
      assert.deepEqual((await store().mfaDevices.list(account, { limit: 10, assigned: false })).items, [spare]);
      assert.deepEqual((await store().mfaDevices.list(account, { limit: 10 })).items, [assigned, spare]);
      await assert.rejects(store().users.delete(u.id));
      await store().mfaDevices.assign(d.serial, null, null);
      assert.deepEqual(await store().mfaDevices.get(d.serial), d);
      assert.deepEqual(await store().mfaDevices.listForUser(u.id), []);
      assert.equal(await store().mfaDevices.delete(d.serial), true);
      assert.equal(await store().mfaDevices.delete(d.serial), false);
      assert.equal(await store().mfaDevices.get(d.serial), undefined);
    });

    it('pages devices by serial: 10, 10, 5', async () => {
      const account = await newAccount(store());
      for (let i = 24; i >= 0; i--) await store().mfaDevices.create(mfaDevice(account, `dev-${String(i).padStart(2, '0')}`));
      const all = await allPages((after) => store().mfaDevices.list(account, { limit: 10, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(all.sizes, [10, 10, 5]);
      assert.deepEqual(all.items.map((d) => d.name), Array.from({ length: 25 }, (_, i) => `dev-${String(i).padStart(2, '0')}`));
    });

    it('accepts each TOTP time step once, and only moving forward', async () => {
      const account = await newAccount(store());
      const d = mfaDevice(account, 'totp');
      await store().mfaDevices.create(d);
      assert.equal(await store().mfaDevices.acceptTimeStep(d.serial, 100), true);
      assert.equal(await store().mfaDevices.acceptTimeStep(d.serial, 100), false);
      assert.equal(await store().mfaDevices.acceptTimeStep(d.serial, 99), false);
      assert.equal(await store().mfaDevices.acceptTimeStep(d.serial, 101), true);
      assert.equal((await store().mfaDevices.get(d.serial))?.lastTimeStep, 101);
      assert.equal(await store().mfaDevices.acceptTimeStep('arn:aws:iam::000000000000:mfa/none', 1), false);
    });

    it('accepts exactly one of ten concurrent uses of the same step', async () => {
      const account = await newAccount(store());
      const d = mfaDevice(account, 'race');
      await store().mfaDevices.create(d);
      const results = await Promise.all(Array.from({ length: 10 }, () => store().mfaDevices.acceptTimeStep(d.serial, 57_000_000)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store().mfaDevices.get(d.serial))?.lastTimeStep, 57_000_000);
    });
  });
}
