/** Conformance: transactions are atomic, serialised, and guarded against misuse. */
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { UniqueViolation, type Repositories, type Store } from '../../../src/store/index.js';
import { group, newAccount, policy, role, user } from '../fixtures.js';

/** Reads a role's maxSessionDuration, yields, writes it back plus one. */
async function increment(tx: Repositories, roleId: string): Promise<void> {
  const current = (await tx.roles.getById(roleId))!.maxSessionDuration;
  await tick();
  await tx.roles.update(roleId, { maxSessionDuration: current + 1 });
}

export function transactionCases(store: () => Store): void {
  describe('transactions', () => {
    it('commits every write and returns the callback’s value', async () => {
      const account = await newAccount(store());
      const u = user(account, 'tx-user');
      const g = group(account, 'tx-group');
      const [p, v1] = policy(account, 'tx-policy');
      const before = await store().accounts.revision(account);
      const result = await store().transaction(async (tx) => {
        await tx.users.create(u);
        await tx.groups.create(g);
        await tx.groups.addMember(g.id, u.id);
        await tx.managedPolicies.create(p, v1);
        await tx.managedPolicies.attach('group', g.id, p.id);
        return 'done';
      });
      assert.equal(result, 'done');
      assert.deepEqual(await store().users.getById(u.id), u);
      assert.deepEqual(await store().groups.allGroupsOf(u.id), [g]);
      assert.equal((await store().managedPolicies.getById(p.id))?.attachmentCount, 1);
      assert.ok((await store().accounts.revision(account)) > before);
    });

    it('rolls back every write, revision included, when the callback throws', async () => {
      const account = await newAccount(store());
      const g = group(account, 'kept');
      await store().groups.create(g);
      const before = await store().accounts.revision(account);
      const u = user(account, 'rolled-back');
      const [p, v1] = policy(account, 'rolled-back');
      const boom = new Error('boom');
      await assert.rejects(
        store().transaction(async (tx) => {
          await tx.users.create(u);
          await tx.groups.addMember(g.id, u.id);
          await tx.groups.update(g.id, { name: 'renamed' });
          await tx.managedPolicies.create(p, v1);
          await tx.accounts.setAlias(account, `rb-${account}`);
          assert.deepEqual(await tx.users.getById(u.id), u);
          throw boom;
        }),
        (err: unknown) => err === boom,
      );
      assert.equal(await store().users.getById(u.id), undefined);
      assert.equal(await store().managedPolicies.getById(p.id), undefined);
      assert.deepEqual(await store().groups.getById(g.id), g);
      assert.equal(await store().groups.countMembers(g.id), 0);
      assert.equal((await store().accounts.get(account))?.alias, null);
      assert.equal(await store().accounts.revision(account), before);
    });

    it('rolls back earlier writes when a later one hits a unique violation', async () => {
      const account = await newAccount(store());
      await store().users.create(user(account, 'taken'));
      const fresh = user(account, 'fresh');
      await assert.rejects(
        store().transaction(async (tx) => {
          await tx.users.create(fresh);
          await tx.users.create(user(account, 'TAKEN'));
        }),
        UniqueViolation,
      );
      assert.equal(await store().users.getById(fresh.id), undefined);
      assert.equal(await store().users.count(account), 1);
    });

    it('keeps other flows out of an open transaction: they neither see nor join it', async () => {
      const account = await newAccount(store());
      const ghost = user(account, 'ghost');
      const outsider = user(account, 'outsider');
      let written!: () => void;
      const wrote = new Promise<void>((resolve) => (written = resolve));
      const tx = store().transaction(async (t) => {
        await t.users.create(ghost);
        written();
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new Error('abort');
      });
      const aborted = assert.rejects(tx, /abort/);
      await wrote;
      const [seen] = await Promise.all([store().users.getById(ghost.id), store().users.create(outsider)]);
      await aborted;
      assert.equal(seen, undefined);
      assert.equal(await store().users.getById(ghost.id), undefined);
      assert.deepEqual(await store().users.getById(outsider.id), outsider);
    });

    it('runs concurrent read-modify-write transactions without losing an update', async () => {
      const account = await newAccount(store());
      const r = role(account, 'counter', { maxSessionDuration: 3600 });
      await store().roles.create(r);
      const worker = async () => {
        for (let i = 0; i < 20; i++) await store().transaction((tx) => increment(tx, r.id));
      };
      await Promise.all([worker(), worker()]);
      assert.equal((await store().roles.getById(r.id))?.maxSessionDuration, 3640);
      await Promise.all([0, 1].map(() => store().transaction(async (tx) => {
        for (let i = 0; i < 20; i++) await increment(tx, r.id);
      })));
      assert.equal((await store().roles.getById(r.id))?.maxSessionDuration, 3680);
    });

    it('refuses the store’s own repositories inside a transaction instead of deadlocking', async () => {
      const account = await newAccount(store());
      const u = user(account, 'inside');
      await assert.rejects(
        store().transaction(async (tx) => {
          await tx.users.create(u);
          await store().users.get(account, 'inside');
        }),
        /inside a transaction/,
      );
      await assert.rejects(store().transaction(() => store().transaction(async () => 1)), /inside a transaction/);
      assert.equal(await store().users.getById(u.id), undefined);
    });

    it('refuses a transaction’s repositories after it has finished', async () => {
      const account = await newAccount(store());
      let leaked: Repositories | undefined;
      await store().transaction(async (tx) => {
        leaked = tx;
      });
      await assert.rejects(leaked!.users.create(user(account, 'late')), /already finished/);
      assert.equal(await store().users.count(account), 0);
    });

    it('answers ping', async () => {
      assert.equal(await store().ping(), true);
    });
  });
}
