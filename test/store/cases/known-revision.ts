/**
 * Conformance: `knownRevision`, the revision caches rely on. A write made through the store is
 * seen by the next call at once, whatever the bound; a write made through another store on the
 * same database (another process or instance) is seen once the bound has passed, and at once
 * with bound 0.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Store } from '../../../src/store/index.js';
import { group, newAccount, user } from '../fixtures.js';

export type OpenStore = (options?: { revisionBoundMs?: number }) => Promise<Store>;

export function knownRevisionCases(open: OpenStore): void {
  describe('knownRevision', () => {
    it('follows every write made through the same store at once, even with a long bound', async () => {
      const s = await open({ revisionBoundMs: 60_000 });
      try {
        const account = await newAccount(s);
        const u = user(account, 'known-user');
        const g = group(account, 'known-group');
        const writes: Array<() => Promise<unknown>> = [
          () => s.users.create(u),
          () => s.groups.create(g),
          () => s.groups.addMember(g.id, u.id),
          () => s.accounts.setAlias(account, `known-${account}`),
          () => s.transaction(async (tx) => tx.users.update(u.id, { path: '/moved/' })),
        ];
        let last = await s.knownRevision(account);
        for (const write of writes) {
          await write();
          const known = await s.knownRevision(account);
          assert.equal(known, await s.accounts.revision(account));
          assert.ok(known > last, `revision did not move: ${known} after ${last}`);
          last = known;
        }
      } finally {
        await s.close();
      }
    });

    it('a rolled-back transaction leaves the revision and the rows as they were', async () => {
      const s = await open({ revisionBoundMs: 60_000 });
      try {
        const account = await newAccount(s);
        const before = await s.knownRevision(account);
        await assert.rejects(s.transaction(async (tx) => {
          await tx.users.create(user(account, 'rolled-back'));
          throw new Error('abort');
        }));
        assert.equal(await s.knownRevision(account), before);
        assert.equal(await s.users.get(account, 'rolled-back'), undefined);
      } finally {
        await s.close();
      }
    });

    it('a write through another store on the same database is seen once the bound has passed', async () => {
      const writer = await open();
      const reader = await open({ revisionBoundMs: 300 });
      try {
        const account = await newAccount(writer);
        const r1 = await reader.knownRevision(account);
        await writer.users.create(user(account, 'elsewhere'));
        const r2 = await writer.accounts.revision(account);
        assert.ok(r2 > r1);
        // Within the bound the reader relies on what it read (no store read per call)…
        assert.equal(await reader.knownRevision(account), r1);
        await sleep(350);
        // …and once it has passed, it reads again.
        assert.equal(await reader.knownRevision(account), r2);
      } finally {
        await reader.close();
        await writer.close();
      }
    });

    it('with bound 0, a write through another store is seen by the next call', async () => {
      const writer = await open();
      const reader = await open({ revisionBoundMs: 0 });
      try {
        const account = await newAccount(writer);
        await reader.knownRevision(account);
        await writer.users.create(user(account, 'elsewhere-0'));
        assert.equal(await reader.knownRevision(account), await writer.accounts.revision(account));
      } finally {
        await reader.close();
        await writer.close();
      }
    });

    it('an unknown account is an error, as for accounts.revision', async () => {
      const s = await open({ revisionBoundMs: 1000 });
      try {
        await assert.rejects(s.knownRevision('000000000001'), /no account/);
      } finally {
        await s.close();
      }
    });
  });
}
