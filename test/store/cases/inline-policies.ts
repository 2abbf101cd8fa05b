/** Conformance: inline policies of users, groups and roles. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OwnerKind, Store } from '../../../src/store/index.js';
import { allPages, doc, group, newAccount, role, shuffledNames, user } from '../fixtures.js';

/** An owner of each kind in a fresh account. */
async function owners(store: Store): Promise<Record<OwnerKind, string>> {
  const account = await newAccount(store);
  const u = user(account, 'owner');
  const g = group(account, 'owner');
  const r = role(account, 'owner');
  await store.users.create(u);
  await store.groups.create(g);
  await store.roles.create(r);
  return { user: u.id, group: g.id, role: r.id };
}

export function inlinePolicyCases(store: () => Store): void {
  describe('inline policies', () => {
    for (const kind of ['user', 'group', 'role'] as const) {
      it(`puts, replaces, lists, reads and deletes a ${kind}'s policies`, async () => {
        const ids = await owners(store());
        const id = ids[kind];
        await store().inlinePolicies.put({ ownerKind: kind, ownerId: id, name: 'Read', document: doc('s3:Get*') });
        await store().inlinePolicies.put({ ownerKind: kind, ownerId: id, name: 'write', document: doc('s3:Put*') });
        assert.deepEqual(await store().inlinePolicies.get(kind, id, 'read'), { ownerKind: kind, ownerId: id, name: 'Read', document: doc('s3:Get*') });
        await store().inlinePolicies.put({ ownerKind: kind, ownerId: id, name: 'READ', document: doc('s3:List*') });
        assert.equal(await store().inlinePolicies.count(kind, id), 2);
        assert.deepEqual(await store().inlinePolicies.all(kind, id), [
          { ownerKind: kind, ownerId: id, name: 'READ', document: doc('s3:List*') },
          { ownerKind: kind, ownerId: id, name: 'write', document: doc('s3:Put*') },
        ]);
        assert.deepEqual(await store().inlinePolicies.list(kind, id, { limit: 10 }), { items: ['READ', 'write'] });
        for (const other of ['user', 'group', 'role'] as const) {
          if (other !== kind) assert.equal(await store().inlinePolicies.count(other, ids[other]), 0);
        }
        assert.equal(await store().inlinePolicies.delete(kind, id, 'Write'), true);
        assert.equal(await store().inlinePolicies.delete(kind, id, 'write'), false);
        assert.equal(await store().inlinePolicies.get(kind, id, 'write'), undefined);
        assert.deepEqual(await store().inlinePolicies.list(kind, id, { limit: 10 }), { items: ['READ'] });
      });
    }

    it('pages policy names 10, 10, 5', async () => {
      const { user: id } = await owners(store());
      for (const name of shuffledNames('pol', 25)) await store().inlinePolicies.put({ ownerKind: 'user', ownerId: id, name, document: doc('iam:Get*') });
      const all = await allPages((after) => store().inlinePolicies.list('user', id, { limit: 10, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(all.sizes, [10, 10, 5]);
      assert.deepEqual(all.items.map((n) => n.toLowerCase()), Array.from({ length: 25 }, (_, i) => `pol-${String(i).padStart(2, '0')}`));
    });

    it('refuses a policy for an unknown owner, and deleting an owner that still has one', async () => {
      const ids = await owners(store());
      await assert.rejects(store().inlinePolicies.put({ ownerKind: 'role', ownerId: 'AROANOSUCHROLE000000', name: 'p', document: doc('*') }));
      await store().inlinePolicies.put({ ownerKind: 'role', ownerId: ids.role, name: 'p', document: doc('*') });
      await assert.rejects(store().roles.delete(ids.role));
      assert.ok(await store().roles.getById(ids.role));
      await store().inlinePolicies.delete('role', ids.role, 'p');
      assert.equal(await store().roles.delete(ids.role), true);
    });
  });
}
