/**
 * Conformance: the wire-fidelity repositories (issue 13): AWS managed policy attachments,
 * tags of policies and MFA devices, a role's last use, signing certificates, instance profiles.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { newId } from '../../../src/shared/ids.js';
import { group, mfaDevice, newAccount, policy, role, T0, user } from '../fixtures.js';

const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const VIEW_ONLY = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';

export function iamExtrasCases(store: () => Store): void {
  describe('AWS managed policy attachments', () => {
    it('attaches idempotently, counts per account, lists owners, counts towards countAttached, detaches', async () => {
      const [a, b] = [await newAccount(store()), await newAccount(store())];
      const u = user(a, 'u');
      const g = group(a, 'g');
      const r = role(a, 'r');
      const other = user(b, 'u');
      await store().users.create(u);
      await store().groups.create(g);
      await store().roles.create(r);
      await store().users.create(other);
      const before = await store().accounts.revision(a);
      assert.equal(await store().awsPolicyAttachments.attach(a, { kind: 'user', id: u.id }, READ_ONLY), true);
      assert.ok((await store().accounts.revision(a)) > before, 'an attachment bumps the revision');
      assert.equal(await store().awsPolicyAttachments.attach(a, { kind: 'user', id: u.id }, READ_ONLY), false);
      await store().awsPolicyAttachments.attach(a, { kind: 'user', id: u.id }, VIEW_ONLY);
      await store().awsPolicyAttachments.attach(a, { kind: 'group', id: g.id }, READ_ONLY);
      await store().awsPolicyAttachments.attach(a, { kind: 'role', id: r.id }, READ_ONLY);
      await store().awsPolicyAttachments.attach(b, { kind: 'user', id: other.id }, READ_ONLY);
      assert.deepEqual(await store().awsPolicyAttachments.attached({ kind: 'user', id: u.id }), [READ_ONLY, VIEW_ONLY].sort());
      assert.deepEqual(Object.fromEntries(await store().awsPolicyAttachments.counts(a)), { [READ_ONLY]: 3, [VIEW_ONLY]: 1 });
      assert.deepEqual(Object.fromEntries(await store().awsPolicyAttachments.counts(b)), { [READ_ONLY]: 1 });
      const owners = await store().awsPolicyAttachments.entities(a, READ_ONLY);
      assert.deepEqual(owners.map((o) => `${o.kind}:${o.id}`).sort(), [`group:${g.id}`, `role:${r.id}`, `user:${u.id}`].sort());
      assert.equal(await store().managedPolicies.countAttached('user', u.id), 2);
      assert.equal(await store().awsPolicyAttachments.detach({ kind: 'user', id: u.id }, READ_ONLY), true);
      assert.equal(await store().awsPolicyAttachments.detach({ kind: 'user', id: u.id }, READ_ONLY), false);
      assert.equal(await store().managedPolicies.countAttached('user', u.id), 1);
    });

    it('customerEntities lists the users, groups and roles a customer policy is attached to', async () => {
      const a = await newAccount(store());
      const [p, v1] = policy(a, 'P');
      await store().managedPolicies.create(p, v1);
      const u = user(a, 'u');
      const r = role(a, 'r');
      await store().users.create(u);
      await store().roles.create(r);
      await store().managedPolicies.attach('user', u.id, p.id);
      await store().managedPolicies.attach('role', r.id, p.id);
      const owners = await store().awsPolicyAttachments.customerEntities(p.id);
      assert.deepEqual(owners.map((o) => `${o.kind}:${o.id}`).sort(), [`role:${r.id}`, `user:${u.id}`].sort());
    });
  });

  describe('tags of policies and MFA devices, role last use', () => {
    it('sets and reads tags; an unknown entity is false and empty', async () => {
      const a = await newAccount(store());
      const [p, v1] = policy(a, 'Tagged');
      await store().managedPolicies.create(p, v1);
      const device = mfaDevice(a, 'dev');
      await store().mfaDevices.create(device);
      assert.deepEqual(await store().tags.get('policy', p.id), []);
      assert.equal(await store().tags.set('policy', p.id, [{ key: 'k', value: 'v' }]), true);
      assert.deepEqual(await store().tags.get('policy', p.id), [{ key: 'k', value: 'v' }]);
      assert.equal(await store().tags.set('mfa', device.serial, [{ key: 'a', value: '' }]), true);
      assert.deepEqual(await store().tags.get('mfa', device.serial), [{ key: 'a', value: '' }]);
      assert.equal(await store().tags.set('policy', 'ANPA-nothing', []), false);
      assert.deepEqual(await store().tags.get('mfa', 'arn:nothing'), []);
    });

    it('records a role use; an older use never overwrites a newer one', async () => {
      const a = await newAccount(store());
      const r = role(a, 'used');
      await store().roles.create(r);
      assert.equal(await store().roleUsage.get(r.id), undefined);
      await store().roleUsage.record(r.id, T0 + 10, 'us-east-1');
      await store().roleUsage.record(r.id, T0 + 5, 'eu-west-1');
      assert.deepEqual(await store().roleUsage.get(r.id), { at: T0 + 10, region: 'us-east-1' });
    });
  });

  describe('signing certificates', () => {
    it('creates, lists oldest first, refuses a duplicate body in the account, sets status, deletes', async () => {
      const a = await newAccount(store());
      const u = user(a, 'certs');
      await store().users.create(u);
      const cert = (over: object) => ({ id: newId('signingCertificate'), accountId: a, userId: u.id, body: 'PEM', fingerprint: 'f1', status: 'Active' as const, uploadedAt: T0, ...over });
      const c1 = cert({});
      const c2 = cert({ fingerprint: 'f2', uploadedAt: T0 + 1 });
      await store().signingCertificates.create(c1);
      await store().signingCertificates.create(c2);
      await assert.rejects(store().signingCertificates.create(cert({ userId: null })), UniqueViolation);
      assert.deepEqual((await store().signingCertificates.listFor(a, u.id)).map((c) => c.id), [c1.id, c2.id]);
      assert.deepEqual(await store().signingCertificates.listFor(a, null), []);
      assert.equal(await store().signingCertificates.setStatus(c1.id, 'Inactive'), true);
      assert.equal((await store().signingCertificates.get(c1.id))?.status, 'Inactive');
      assert.equal(await store().signingCertificates.delete(c1.id), true);
      assert.equal(await store().signingCertificates.delete(c1.id), false);
      assert.equal(await store().signingCertificates.setStatus(c1.id, 'Active'), false);
    });
  });

  describe('instance profiles', () => {
    it('creates (unique names), holds at most one role, lists by role, deletes', async () => {
      const a = await newAccount(store());
      const r1 = role(a, 'r1');
      const r2 = role(a, 'r2');
      await store().roles.create(r1);
      await store().roles.create(r2);
      const profile = (name: string) => ({ id: newId('instanceProfile'), accountId: a, name, path: '/', tags: [], createdAt: T0 });
      const p = profile('Web');
      await store().instanceProfiles.create(p);
      await assert.rejects(store().instanceProfiles.create(profile('web')), UniqueViolation);
      assert.deepEqual(await store().instanceProfiles.get(a, 'WEB'), p);
      await store().instanceProfiles.addRole(p.id, r1.id);
      await assert.rejects(store().instanceProfiles.addRole(p.id, r2.id), UniqueViolation);
      assert.equal((await store().instanceProfiles.role(p.id))?.id, r1.id);
      assert.deepEqual((await store().instanceProfiles.forRole(r1.id, { limit: 10 })).items.map((x) => x.name), ['Web']);
      assert.equal(await store().instanceProfiles.removeRole(p.id, r2.id), false);
      assert.equal(await store().instanceProfiles.removeRole(p.id, r1.id), true);
      assert.equal(await store().instanceProfiles.count(a), 1);
      assert.equal(await store().instanceProfiles.delete(p.id), true);
      assert.equal(await store().instanceProfiles.get(a, 'Web'), undefined);
    });
  });
}
