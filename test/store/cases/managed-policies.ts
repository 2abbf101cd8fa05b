/** Conformance: managed policies (versions, default switching, attachments, listing). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { allPages, doc, group, newAccount, policy, role, T0, user } from '../fixtures.js';

export function managedPolicyCases(store: () => Store): void {
  describe('managed policies', () => {
    it('creates a policy with v1 as default and reads it by name (any case, optional path) and id', async () => {
      const account = await newAccount(store());
      const [p, v1] = policy(account, 'S3Read', { path: '/team/', description: 'read buckets' });
      await store().managedPolicies.create(p, v1);
      const expected = { ...p, attachmentCount: 0 };
      assert.deepEqual(await store().managedPolicies.get(account, 's3read'), expected);
      assert.deepEqual(await store().managedPolicies.get(account, 'S3READ', '/team/'), expected);
      assert.equal(await store().managedPolicies.get(account, 'S3Read', '/'), undefined);
      assert.deepEqual(await store().managedPolicies.getById(p.id), expected);
      assert.deepEqual(await store().managedPolicies.getVersion(p.id, 'v1'), v1);
      assert.equal(await store().managedPolicies.count(account), 1);
    });

    it('refuses a second policy of the same name in the account, whatever the path or case', async () => {
      const account = await newAccount(store());
      await store().managedPolicies.create(...policy(account, 'Shared'));
      await assert.rejects(store().managedPolicies.create(...policy(account, 'shared', { path: '/other/' })), UniqueViolation);
      assert.equal(await store().managedPolicies.count(account), 1);
    });

    it('adds versions, switches the default and deletes non-default versions', async () => {
      const account = await newAccount(store());
      const [p, v1] = policy(account, 'Versioned');
      await store().managedPolicies.create(p, v1);
      const v2 = { policyId: p.id, versionId: 'v2', document: doc('s3:PutObject'), createdAt: T0 + 2 };
      await store().managedPolicies.addVersion(v2, false, T0 + 2);
      let current = await store().managedPolicies.getById(p.id);
      assert.equal(current?.defaultVersionId, 'v1');
      assert.equal(current?.updatedAt, T0 + 2);
      const versions = [v1, v2];
      for (let n = 3; n <= 10; n++) {
        const v = { policyId: p.id, versionId: `v${n}`, document: doc(`s3:Action${n}`), createdAt: T0 + 2 };
        await store().managedPolicies.addVersion(v, n === 10, T0 + n);
        versions.push(v);
      }
      current = await store().managedPolicies.getById(p.id);
      assert.equal(current?.defaultVersionId, 'v10');
      assert.equal(current?.updatedAt, T0 + 10);
      assert.deepEqual(await store().managedPolicies.listVersions(p.id), versions);

      await store().managedPolicies.setDefaultVersion(p.id, 'v2', T0 + 20);
      current = await store().managedPolicies.getById(p.id);
      assert.equal(current?.defaultVersionId, 'v2');
      assert.equal(current?.updatedAt, T0 + 20);
      await assert.rejects(store().managedPolicies.setDefaultVersion(p.id, 'v99', T0 + 21), /no version v99/);
      assert.equal((await store().managedPolicies.getById(p.id))?.defaultVersionId, 'v2');

      await assert.rejects(store().managedPolicies.deleteVersion(p.id, 'v2'), /default/);
      assert.equal(await store().managedPolicies.deleteVersion(p.id, 'v1'), true);
      assert.equal(await store().managedPolicies.deleteVersion(p.id, 'v1'), false);
      assert.equal(await store().managedPolicies.getVersion(p.id, 'v1'), undefined);
      assert.deepEqual((await store().managedPolicies.listVersions(p.id)).map((v) => v.versionId), ['v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9', 'v10']);
    });

    it('counts and filters policies by their use as permissions boundaries and as permissions policies', async () => {
      const s = store();
      const account = await newAccount(s);
      const [fence, fv] = policy(account, 'fence', { path: '/b/' });
      const [granted, gv] = policy(account, 'granted');
      const [idle, iv] = policy(account, 'idle');
      for (const [p, v] of [[fence, fv], [granted, gv], [idle, iv]] as const) await s.managedPolicies.create(p, v);
      const fenceArn = `arn:aws:iam::${account}:policy/b/fence`;
      const grantedArn = `arn:aws:iam::${account}:policy/granted`;
      const u = user(account, 'bounded', { permissionsBoundary: fenceArn });
      const r = role(account, 'bounded-role', { permissionsBoundary: fenceArn });
      await s.users.create(u);
      await s.roles.create(r);
      await s.managedPolicies.attach('role', r.id, granted.id);
      const usage = await s.managedPolicies.boundaryUsage(account, [fenceArn, grantedArn]);
      assert.deepEqual([...usage], [[fenceArn, 2], [grantedArn, 0]]);
      assert.deepEqual((await s.managedPolicies.boundaryUsage(account, [])).size, 0);
      const names = async (usage?: 'PermissionsPolicy' | 'PermissionsBoundary') =>
        (await allPages((after) => s.managedPolicies.list(account, { limit: 2, ...(after !== undefined && { after }), ...(usage && { usage }) }))).items.map((p) => p.name);
      assert.deepEqual(await names(), ['fence', 'granted', 'idle']);
      assert.deepEqual(await names('PermissionsBoundary'), ['fence']);
      assert.deepEqual(await names('PermissionsPolicy'), ['granted']);
      await s.users.update(u.id, { permissionsBoundary: null });
      assert.equal((await s.managedPolicies.boundaryUsage(account, [fenceArn])).get(fenceArn), 1);
      // Another account's users never count.
      const other = await newAccount(s);
      await s.users.create(user(other, 'elsewhere', { permissionsBoundary: fenceArn }));
      assert.equal((await s.managedPolicies.boundaryUsage(account, [fenceArn])).get(fenceArn), 1);
    });

    it('attaches to users, groups and roles idempotently, counting attachments', async () => {
      const account = await newAccount(store());
      const [p, v1] = policy(account, 'Attached');
      await store().managedPolicies.create(p, v1);
      const u = user(account, 'u');
      const g = group(account, 'g');
      const r = role(account, 'r');
      await store().users.create(u);
      await store().groups.create(g);
      await store().roles.create(r);
      await store().managedPolicies.attach('user', u.id, p.id);
      await store().managedPolicies.attach('user', u.id, p.id);
      await store().managedPolicies.attach('group', g.id, p.id);
      await store().managedPolicies.attach('role', r.id, p.id);
      assert.equal((await store().managedPolicies.getById(p.id))?.attachmentCount, 3);
      assert.equal(await store().managedPolicies.countAttached('user', u.id), 1);
      assert.deepEqual((await store().managedPolicies.attached('group', g.id, { limit: 10 })).items, [{ ...p, attachmentCount: 3 }]);
      assert.deepEqual(await store().managedPolicies.attachedDocuments('role', r.id), [{ policy: { ...p, attachmentCount: 3 }, document: v1.document }]);

      assert.equal(await store().managedPolicies.detach('user', u.id, p.id), true);
      assert.equal(await store().managedPolicies.detach('user', u.id, p.id), false);
      assert.equal((await store().managedPolicies.getById(p.id))?.attachmentCount, 2);
      assert.equal(await store().managedPolicies.countAttached('user', u.id), 0);
      assert.deepEqual(await store().managedPolicies.attachedDocuments('user', u.id), []);
    });

    it('returns the default version document of each attached policy', async () => {
      const account = await newAccount(store());
      const r = role(account, 'evaluated');
      await store().roles.create(r);
      const [a, a1] = policy(account, 'Beta');
      const [b, b1] = policy(account, 'alpha');
      await store().managedPolicies.create(a, a1);
      await store().managedPolicies.create(b, b1);
      await store().managedPolicies.addVersion({ policyId: a.id, versionId: 'v2', document: doc('ec2:*'), createdAt: T0 + 1 }, true, T0 + 1);
      await store().managedPolicies.attach('role', r.id, a.id);
      await store().managedPolicies.attach('role', r.id, b.id);
      const docs = await store().managedPolicies.attachedDocuments('role', r.id);
      assert.deepEqual(docs.map((d) => [d.policy.name, d.policy.defaultVersionId, d.document]), [['alpha', 'v1', b1.document], ['Beta', 'v2', doc('ec2:*')]]);
      await store().managedPolicies.setDefaultVersion(a.id, 'v1', T0 + 2);
      assert.equal((await store().managedPolicies.attachedDocuments('role', r.id))[1]?.document, a1.document);
    });

    it('lists policies in pages, with PathPrefix and onlyAttached', async () => {
      const account = await newAccount(store());
      const u = user(account, 'holder');
      await store().users.create(u);
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) {
        const [p, v] = policy(account, `Policy-${String(i).padStart(2, '0')}`, { path: i % 2 ? '/odd/' : '/' });
        await store().managedPolicies.create(p, v);
        ids.push(p.id);
      }
      for (const i of [3, 7, 11, 20]) await store().managedPolicies.attach('user', u.id, ids[i]!);
      const all = await allPages((after) => store().managedPolicies.list(account, { limit: 10, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(all.sizes, [10, 10, 5]);
      assert.deepEqual(all.items.map((p) => p.id), ids);
      const attached = await allPages((after) => store().managedPolicies.list(account, { limit: 3, onlyAttached: true, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(attached.sizes, [3, 1]);
      assert.deepEqual(attached.items.map((p) => p.name), ['Policy-03', 'Policy-07', 'Policy-11', 'Policy-20']);
      assert.ok(attached.items.every((p) => p.attachmentCount === 1));
      const oddAttached = await store().managedPolicies.list(account, { limit: 10, onlyAttached: true, pathPrefix: '/odd/' });
      assert.deepEqual(oddAttached.items.map((p) => p.name), ['Policy-03', 'Policy-07', 'Policy-11']);
      const ofUser = await allPages((after) => store().managedPolicies.attached('user', u.id, { limit: 2, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(ofUser.sizes, [2, 2]);
      assert.deepEqual(ofUser.items.map((p) => p.name), ['Policy-03', 'Policy-07', 'Policy-11', 'Policy-20']);
    });

    it('refuses to delete an attached policy; deletes a detached one with its versions', async () => {
      const account = await newAccount(store());
      const [p, v1] = policy(account, 'Doomed');
      await store().managedPolicies.create(p, v1);
      await store().managedPolicies.addVersion({ policyId: p.id, versionId: 'v2', document: doc('sqs:*'), createdAt: T0 }, false, T0);
      const g = group(account, 'holders');
      await store().groups.create(g);
      await store().managedPolicies.attach('group', g.id, p.id);
      await assert.rejects(store().managedPolicies.delete(p.id));
      await assert.rejects(store().groups.delete(g.id));
      assert.equal((await store().managedPolicies.listVersions(p.id)).length, 2);
      await store().managedPolicies.detach('group', g.id, p.id);
      assert.equal(await store().managedPolicies.delete(p.id), true);
      assert.equal(await store().managedPolicies.delete(p.id), false);
      assert.equal(await store().managedPolicies.getById(p.id), undefined);
      assert.deepEqual(await store().managedPolicies.listVersions(p.id), []);
      assert.equal(await store().managedPolicies.count(account), 0);
    });

    it('refuses to attach to an unknown owner or across accounts', async () => {
      const account = await newAccount(store());
      const other = await newAccount(store());
      const [p, v1] = policy(account, 'Mine');
      await store().managedPolicies.create(p, v1);
      const stranger = user(other, 'stranger');
      await store().users.create(stranger);
      await assert.rejects(store().managedPolicies.attach('user', 'AIDANOSUCHUSER000000', p.id));
      await assert.rejects(store().managedPolicies.attach('user', stranger.id, p.id), /different accounts/);
      assert.equal((await store().managedPolicies.getById(p.id))?.attachmentCount, 0);
    });
  });
}
