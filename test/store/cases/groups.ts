/** Conformance: groups (CRUD, rename, membership both ways, pages, no silent cascades). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { allPages, group, newAccount, shuffledNames, user } from '../fixtures.js';

const page = (limit: number, after: string | undefined) => ({ limit, ...(after === undefined ? {} : { after }) });

export function groupCases(store: () => Store): void {
  describe('groups', () => {
    it('creates, reads (any case), renames keeping the id, and deletes a group', async () => {
      const account = await newAccount(store());
      const g = group(account, 'Admins', { path: '/it/' });
      await store().groups.create(g);
      assert.deepEqual(await store().groups.get(account, 'ADMINS'), g);
      assert.deepEqual(await store().groups.getById(g.id), g);
      await assert.rejects(store().groups.create(group(account, 'admins')), UniqueViolation);
      await store().groups.update(g.id, { name: 'Operators', path: '/ops/' });
      assert.equal(await store().groups.get(account, 'admins'), undefined);
      assert.deepEqual(await store().groups.get(account, 'operators'), { ...g, name: 'Operators', path: '/ops/' });
      assert.equal(await store().groups.count(account), 1);
      assert.equal(await store().groups.delete(g.id), true);
      assert.equal(await store().groups.delete(g.id), false);
      assert.equal(await store().groups.getById(g.id), undefined);
    });

    it('lists groups in pages with PathPrefix', async () => {
      const account = await newAccount(store());
      const names = shuffledNames('grp', 25);
      for (const [i, name] of names.entries()) await store().groups.create(group(account, name, { path: i % 5 === 0 ? '/five/' : '/' }));
      const all = await allPages((after) => store().groups.list(account, page(10, after)));
      assert.deepEqual(all.sizes, [10, 10, 5]);
      assert.deepEqual(all.items.map((g) => g.name.toLowerCase()), Array.from({ length: 25 }, (_, i) => `grp-${String(i).padStart(2, '0')}`));
      const five = await store().groups.list(account, { limit: 100, pathPrefix: '/five/' });
      assert.equal(five.items.length, 5);
      assert.ok(five.items.every((g) => g.path === '/five/'));
    });

    it('adds members idempotently and lists them both ways', async () => {
      const account = await newAccount(store());
      const g1 = group(account, 'g1');
      const g2 = group(account, 'G2');
      const alice = user(account, 'alice');
      const bob = user(account, 'Bob');
      for (const g of [g1, g2]) await store().groups.create(g);
      for (const u of [alice, bob]) await store().users.create(u);
      await store().groups.addMember(g1.id, alice.id);
      await store().groups.addMember(g1.id, alice.id);
      await store().groups.addMember(g1.id, bob.id);
      await store().groups.addMember(g2.id, alice.id);
      assert.equal(await store().groups.countMembers(g1.id), 2);
      assert.deepEqual((await store().groups.members(g1.id, { limit: 10 })).items, [alice, bob]);
      assert.deepEqual((await store().groups.groupsOf(alice.id, { limit: 10 })).items, [g1, g2]);
      assert.deepEqual(await store().groups.allGroupsOf(alice.id), [g1, g2]);
      assert.deepEqual(await store().groups.allGroupsOf(bob.id), [g1]);
      assert.equal(await store().groups.removeMember(g1.id, alice.id), true);
      assert.equal(await store().groups.removeMember(g1.id, alice.id), false);
      assert.deepEqual(await store().groups.allGroupsOf(alice.id), [g2]);
      assert.equal(await store().groups.countMembers(g1.id), 1);
    });

    it('pages members by user name and groups of a user by group name', async () => {
      const account = await newAccount(store());
      const g = group(account, 'big');
      await store().groups.create(g);
      for (const name of shuffledNames('member', 25)) {
        const u = user(account, name);
        await store().users.create(u);
        await store().groups.addMember(g.id, u.id);
      }
      const members = await allPages((after) => store().groups.members(g.id, page(10, after)));
      assert.deepEqual(members.sizes, [10, 10, 5]);
      assert.deepEqual(members.items.map((u) => u.name.toLowerCase()), Array.from({ length: 25 }, (_, i) => `member-${String(i).padStart(2, '0')}`));

      const joiner = user(account, 'joiner');
      await store().users.create(joiner);
      for (const name of shuffledNames('team', 12)) {
        const t = group(account, name);
        await store().groups.create(t);
        await store().groups.addMember(t.id, joiner.id);
      }
      const groups = await allPages((after) => store().groups.groupsOf(joiner.id, page(5, after)));
      assert.deepEqual(groups.sizes, [5, 5, 2]);
      assert.deepEqual(groups.items.map((x) => x.name.toLowerCase()), Array.from({ length: 12 }, (_, i) => `team-${String(i).padStart(2, '0')}`));
    });

    it('keeps a renamed member in name order', async () => {
      const account = await newAccount(store());
      const g = group(account, 'order');
      await store().groups.create(g);
      const users = ['aaa', 'mmm', 'zzz'].map((n) => user(account, n));
      for (const u of users) {
        await store().users.create(u);
        await store().groups.addMember(g.id, u.id);
      }
      await store().users.update(users[0]!.id, { name: 'Zzzz' });
      assert.deepEqual((await store().groups.members(g.id, { limit: 10 })).items.map((u) => u.name), ['mmm', 'zzz', 'Zzzz']);
      const first = await store().groups.members(g.id, { limit: 2 });
      assert.deepEqual((await store().groups.members(g.id, { limit: 2, after: first.marker! })).items.map((u) => u.name), ['Zzzz']);
    });

    it('refuses to delete a group with members or a user in a group', async () => {
      const account = await newAccount(store());
      const g = group(account, 'sticky');
      const u = user(account, 'stuck');
      await store().groups.create(g);
      await store().users.create(u);
      await store().groups.addMember(g.id, u.id);
      await assert.rejects(store().groups.delete(g.id), (err: unknown) => err instanceof Error && !(err instanceof UniqueViolation));
      await assert.rejects(store().users.delete(u.id), (err: unknown) => err instanceof Error && !(err instanceof UniqueViolation));
      assert.deepEqual(await store().groups.getById(g.id), g);
      assert.deepEqual(await store().users.getById(u.id), u);
      await store().groups.removeMember(g.id, u.id);
      assert.equal(await store().groups.delete(g.id), true);
      assert.equal(await store().users.delete(u.id), true);
    });

    it('refuses a membership of an unknown user or across accounts', async () => {
      const account = await newAccount(store());
      const other = await newAccount(store());
      const g = group(account, 'g');
      const stranger = user(other, 'stranger');
      await store().groups.create(g);
      await store().users.create(stranger);
      await assert.rejects(store().groups.addMember(g.id, 'AIDANOSUCHUSER000000'), /cannot add user/);
      await assert.rejects(store().groups.addMember(g.id, stranger.id), /cannot add user/);
      assert.equal(await store().groups.countMembers(g.id), 0);
    });
  });
}
