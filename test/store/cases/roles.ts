/** Conformance: roles (CRUD, updates of each field, pages). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { allPages, newAccount, role, shuffledNames } from '../fixtures.js';

export function roleCases(store: () => Store): void {
  describe('roles', () => {
    it('creates, reads (any case), updates each field and deletes a role', async () => {
      const account = await newAccount(store());
      const r = role(account, 'Deployer', { path: '/ci/', description: 'deploys', tags: [{ key: 'env', value: 'prod' }] });
      await store().roles.create(r);
      assert.deepEqual(await store().roles.get(account, 'deployer'), r);
      assert.deepEqual(await store().roles.getById(r.id), r);
      await assert.rejects(store().roles.create(role(account, 'DEPLOYER')), UniqueViolation);

      const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
      await store().roles.update(r.id, { assumeRolePolicy: trust, description: null, maxSessionDuration: 43200, permissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess', tags: [] });
      const updated = { ...r, assumeRolePolicy: trust, description: null, maxSessionDuration: 43200, permissionsBoundary: 'arn:aws:iam::aws:policy/ReadOnlyAccess', tags: [] };
      assert.deepEqual(await store().roles.getById(r.id), updated);
      await store().roles.update(r.id, { description: 'again' });
      assert.deepEqual(await store().roles.getById(r.id), { ...updated, description: 'again' });

      assert.equal(await store().roles.count(account), 1);
      assert.equal(await store().roles.delete(r.id), true);
      assert.equal(await store().roles.delete(r.id), false);
      assert.equal(await store().roles.get(account, 'deployer'), undefined);
      assert.equal(await store().roles.count(account), 0);
    });

    it('pages roles 10, 10, 5 with PathPrefix', async () => {
      const account = await newAccount(store());
      for (const [i, name] of shuffledNames('role', 25).entries()) await store().roles.create(role(account, name, { path: i < 3 ? '/svc/' : '/' }));
      const all = await allPages((after) => store().roles.list(account, { limit: 10, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(all.sizes, [10, 10, 5]);
      assert.deepEqual(all.items.map((r) => r.name.toLowerCase()), Array.from({ length: 25 }, (_, i) => `role-${String(i).padStart(2, '0')}`));
      const svc = await store().roles.list(account, { limit: 2, pathPrefix: '/svc/' });
      assert.equal(svc.items.length, 2);
      assert.ok(svc.marker);
      assert.equal((await store().roles.list(account, { limit: 2, pathPrefix: '/svc/', after: svc.marker })).items.length, 1);
    });
  });
}
