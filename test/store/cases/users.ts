/** Conformance: users (CRUD, case-insensitive names, rename, keyset pages, PathPrefix). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation, type Store } from '../../../src/store/index.js';
import { allPages, newAccount, shuffledNames, user } from '../fixtures.js';

export function userCases(store: () => Store): void {
  describe('users', () => {
    it('creates and reads a user by name (any case) and by id', async () => {
      const account = await newAccount(store());
      const alice = user(account, 'Alice', { path: '/eng/', permissionsBoundary: 'arn:aws:iam::123456789012:policy/b', tags: [{ key: 'team', value: 'web' }, { key: 'cost', value: '7' }] });
      await store().users.create(alice);
      assert.deepEqual(await store().users.get(account, 'Alice'), alice);
      assert.deepEqual(await store().users.get(account, 'aLICE'), alice);
      assert.deepEqual(await store().users.getById(alice.id), alice);
      assert.equal(await store().users.get(account, 'bob'), undefined);
      assert.equal(await store().users.getById('AIDANOSUCHUSER000000'), undefined);
    });

    it('refuses a name that differs only in case, but not in another account', async () => {
      const account = await newAccount(store());
      const other = await newAccount(store());
      await store().users.create(user(account, 'Alice'));
      await assert.rejects(store().users.create(user(account, 'alice')), (err: unknown) => err instanceof UniqueViolation && err.cause instanceof Error);
      await store().users.create(user(other, 'alice'));
      assert.equal(await store().users.count(account), 1);
      assert.equal(await store().users.count(other), 1);
    });

    it('renames and moves a user, keeping its id', async () => {
      const account = await newAccount(store());
      const u = user(account, 'old-name');
      await store().users.create(u);
      await store().users.update(u.id, { name: 'New-Name', path: '/ops/' });
      assert.equal(await store().users.get(account, 'old-name'), undefined);
      assert.deepEqual(await store().users.get(account, 'new-name'), { ...u, name: 'New-Name', path: '/ops/' });
    });

    it('sets and clears the boundary and replaces tags', async () => {
      const account = await newAccount(store());
      const u = user(account, 'tagged', { tags: [{ key: 'a', value: '1' }] });
      await store().users.create(u);
      await store().users.update(u.id, { permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess', tags: [{ key: 'b', value: '2' }] });
      assert.deepEqual(await store().users.getById(u.id), { ...u, permissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess', tags: [{ key: 'b', value: '2' }] });
      await store().users.update(u.id, { permissionsBoundary: null, tags: [] });
      assert.deepEqual(await store().users.getById(u.id), { ...u, tags: [] });
    });

    it('refuses a rename onto another user name and leaves both unchanged', async () => {
      const account = await newAccount(store());
      const a = user(account, 'anna');
      const b = user(account, 'bert');
      await store().users.create(a);
      await store().users.create(b);
      await assert.rejects(store().users.update(b.id, { name: 'ANNA' }), UniqueViolation);
      assert.deepEqual(await store().users.getById(b.id), b);
      assert.deepEqual(await store().users.getById(a.id), a);
    });

    it('ignores an update of an unknown user, and an empty update', async () => {
      const account = await newAccount(store());
      const u = user(account, 'same');
      await store().users.create(u);
      await store().users.update('AIDANOSUCHUSER000000', { name: 'x' });
      await store().users.update(u.id, {});
      assert.deepEqual(await store().users.getById(u.id), u);
      assert.equal(await store().accounts.revision(account), 2);
    });

    it('deletes a user once', async () => {
      const account = await newAccount(store());
      const u = user(account, 'gone');
      await store().users.create(u);
      assert.equal(await store().users.delete(u.id), true);
      assert.equal(await store().users.delete(u.id), false);
      assert.equal(await store().users.getById(u.id), undefined);
      assert.equal(await store().users.count(account), 0);
    });

    it('records when the password was last used', async () => {
      const account = await newAccount(store());
      const u = user(account, 'pw');
      await store().users.create(u);
      await store().users.setPasswordLastUsed(u.id, 1_800_000_000_123);
      assert.equal((await store().users.getById(u.id))?.passwordLastUsed, 1_800_000_000_123);
    });

    it('pages 25 users by 10 in case-insensitive name order: 10, 10, 5', async () => {
      const account = await newAccount(store());
      const names = shuffledNames('user', 25);
      for (const name of names) await store().users.create(user(account, name));
      const first = await store().users.list(account, { limit: 10 });
      assert.equal(first.items.length, 10);
      assert.equal(typeof first.marker, 'string');
      const { items, sizes } = await allPages((after) => store().users.list(account, { limit: 10, ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(sizes, [10, 10, 5]);
      const expected = [...names].sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1));
      assert.deepEqual(items.map((u) => u.name), expected);
      assert.equal(expected[0], 'user-00');
      assert.equal(expected[1], 'USER-01');
    });

    it('has no marker when the page holds the rest exactly', async () => {
      const account = await newAccount(store());
      for (const name of ['a', 'b', 'c']) await store().users.create(user(account, name));
      const page = await store().users.list(account, { limit: 3 });
      assert.deepEqual(page.items.map((u) => u.name), ['a', 'b', 'c']);
      assert.equal(page.marker, undefined);
      assert.deepEqual(await store().users.list(await newAccount(store()), { limit: 10 }), { items: [] });
    });

    it('returns an empty page for a marker beyond the end', async () => {
      const account = await newAccount(store());
      for (const name of ['a', 'b', 'c']) await store().users.create(user(account, name));
      const page = await store().users.list(account, { limit: 2 });
      assert.ok(page.marker);
      const c = await store().users.get(account, 'c');
      await store().users.delete(c!.id);
      const next = await store().users.list(account, { limit: 2, after: page.marker });
      assert.deepEqual(next, { items: [] });
    });

    it('filters by PathPrefix: exact, case-sensitive, LIKE wildcards literal', async () => {
      const account = await newAccount(store());
      const paths: Record<string, string> = { u1: '/eng/', u2: '/eng/web/', u3: '/Eng/', u4: '/ops/', u5: '/', u6: '/a_b/', u7: '/axb/', u8: '/a%/' };
      for (const [name, path] of Object.entries(paths)) await store().users.create(user(account, name, { path }));
      const names = async (pathPrefix: string) => (await store().users.list(account, { limit: 100, pathPrefix })).items.map((u) => u.name);
      assert.deepEqual(await names('/eng/'), ['u1', 'u2']);
      assert.deepEqual(await names('/Eng/'), ['u3']);
      assert.deepEqual(await names('/a_b/'), ['u6']);
      assert.deepEqual(await names('/a%'), ['u8']);
      assert.deepEqual(await names('/'), ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8']);
      assert.deepEqual(await names('/nothing/'), []);
      const paged = await allPages((after) => store().users.list(account, { limit: 1, pathPrefix: '/eng/', ...(after === undefined ? {} : { after }) }));
      assert.deepEqual(paged.sizes, [1, 1]);
    });

    it('refuses a page limit outside 1-1000', async () => {
      const account = await newAccount(store());
      await assert.rejects(store().users.list(account, { limit: 0 }), RangeError);
      await assert.rejects(store().users.list(account, { limit: 1001 }), RangeError);
    });
  });
}
