/** Conformance: every write bumps the account revision; bookkeeping writes do not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../../src/store/index.js';
import { accessKey, doc, group, mfaDevice, newAccount, policy, role, T0, user } from '../fixtures.js';

export function revisionCases(store: () => Store): void {
  describe('revision', () => {
    it('increases on every write and stays put on bookkeeping writes', async () => {
      const s = store();
      const account = await newAccount(s);
      const u = user(account, 'rev-user');
      const g = group(account, 'rev-group');
      const r = role(account, 'rev-role');
      const [p, v1] = policy(account, 'rev-policy');
      const k = accessKey(account, u.id);
      const d = mfaDevice(account, 'rev-mfa');
      const writes: Array<[string, () => Promise<unknown>]> = [
        ['setAlias', () => s.accounts.setAlias(account, `rev-${account}`)],
        ['setPasswordPolicy', () => s.accounts.setPasswordPolicy(account, null)],
        ['users.create', () => s.users.create(u)],
        ['users.update', () => s.users.update(u.id, { path: '/x/' })],
        ['groups.create', () => s.groups.create(g)],
        ['groups.update', () => s.groups.update(g.id, { name: 'rev-group-2' })],
        ['groups.addMember', () => s.groups.addMember(g.id, u.id)],
        ['roles.create', () => s.roles.create(r)],
        ['roles.update', () => s.roles.update(r.id, { maxSessionDuration: 7200 })],
        ['inline.put', () => s.inlinePolicies.put({ ownerKind: 'user', ownerId: u.id, name: 'p', document: doc('*') })],
        ['managed.create', () => s.managedPolicies.create(p, v1)],
        ['managed.addVersion', () => s.managedPolicies.addVersion({ policyId: p.id, versionId: 'v2', document: doc('s3:*'), createdAt: T0 }, false, T0)],
        ['managed.setDefaultVersion', () => s.managedPolicies.setDefaultVersion(p.id, 'v2', T0)],
        ['managed.deleteVersion', () => s.managedPolicies.deleteVersion(p.id, 'v1')],
        ['managed.attach', () => s.managedPolicies.attach('role', r.id, p.id)],
        ['managed.detach', () => s.managedPolicies.detach('role', r.id, p.id)],
        ['accessKeys.create', () => s.accessKeys.create(k)],
        ['accessKeys.setStatus', () => s.accessKeys.setStatus(k.id, 'Inactive')],
        ['loginProfiles.put', () => s.loginProfiles.put({ userId: u.id, passwordHash: 'h', resetRequired: false, createdAt: T0, passwordChangedAt: T0, previousHashes: [] })],
        ['mfa.create', () => s.mfaDevices.create(d)],
        ['mfa.assign', () => s.mfaDevices.assign(d.serial, u.id, T0)],
        ['mfa.unassign', () => s.mfaDevices.assign(d.serial, null, null)],
        ['mfa.delete', () => s.mfaDevices.delete(d.serial)],
        ['loginProfiles.delete', () => s.loginProfiles.delete(u.id)],
        ['accessKeys.delete', () => s.accessKeys.delete(k.id)],
        ['inline.delete', () => s.inlinePolicies.delete('user', u.id, 'p')],
        ['groups.removeMember', () => s.groups.removeMember(g.id, u.id)],
        ['managed.delete', () => s.managedPolicies.delete(p.id)],
        ['groups.delete', () => s.groups.delete(g.id)],
        ['roles.delete', () => s.roles.delete(r.id)],
        ['users.delete', () => s.users.delete(u.id)],
      ];
      let last = await s.accounts.revision(account);
      for (const [label, write] of writes) {
        await write();
        const now = await s.accounts.revision(account);
        assert.ok(now > last, `${label} did not bump the revision (${last} → ${now})`);
        last = now;
      }
    });

    it('does not change on bookkeeping writes or on writes that change nothing', async () => {
      const s = store();
      const account = await newAccount(s);
      const u = user(account, 'quiet');
      const k = accessKey(account, u.id);
      const d = mfaDevice(account, 'quiet-mfa');
      await s.users.create(u);
      await s.accessKeys.create(k);
      await s.mfaDevices.create(d);
      const before = await s.accounts.revision(account);
      await s.users.setPasswordLastUsed(u.id, T0 + 1);
      await s.accessKeys.recordUse(k.id, T0 + 1, 'iam', 'us-east-1');
      await s.mfaDevices.acceptTimeStep(d.serial, 1);
      await s.users.update(u.id, {});
      assert.equal(await s.users.delete('AIDANOSUCHUSER000000'), false);
      assert.equal(await s.accounts.revision(account), before);
    });
  });
}
