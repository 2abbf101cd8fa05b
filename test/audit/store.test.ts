/**
 * The audit repository on both adapters (SQLite file; PostgreSQL in a fresh schema, skipped
 * with a reason when unreachable unless CI=true): chaining across batches and accounts, every
 * lookup column, the time window and keyset pages, the write hook (an event commits with the
 * write or not at all), digests, the retention sweep.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chainHash, GENESIS_HASH, openStore, type AuditEventInput, type Store, type WriteHook } from '../../src/store/index.js';
import { verifyChain } from '../../src/audit/chain.js';
import { tempDir } from '../support/files.js';
import { scratchSchema } from '../support/postgres.js';

const A = '111111111111';
const B = '222222222222';
const T0 = Date.UTC(2026, 2, 1);

function ev(i: number, accountId = A, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    accountId,
    eventId: `e-${accountId.slice(0, 1)}-${String(i).padStart(5, '0')}`,
    eventTime: T0 + i * 60_000,
    eventName: i % 2 ? 'GetUser' : 'CreateUser',
    eventSource: 'iam.amazonaws.com',
    readOnly: i % 2 === 1,
    username: `user${i % 3}`,
    accessKeyId: `AKIA${String(i % 4).padStart(16, '0')}`,
    resourceType: 'AWS::IAM::User',
    resourceName: `r${i % 5}`,
    directoryId: i % 2 ? `guid-${i % 2}` : null,
    directoryDn: i % 2 ? 'uid=x,dc=example,dc=com' : null,
    record: JSON.stringify({ i, accountId }),
    ...extra,
  };
}

function suite(kind: string, open: () => Promise<Store>) {
  describe(`audit repository (${kind})`, () => {
    let store: Store;
    before(async () => {
      store = await open();
      await store.transaction((tx) => tx.auditEvents.append([ev(1), ev(2), ev(1, B)]));
      await store.auditEvents.append([ev(3), ev(4), ev(5), ev(2, B)]);
    });
    after(() => store.close());

    it('chains per account across batches', async () => {
      const a = await store.auditEvents.chain(A, 1, 100);
      assert.deepEqual(a.map((e) => e.seq), [1, 2, 3, 4, 5]);
      assert.equal(a[0]!.prevHash, GENESIS_HASH);
      for (let i = 1; i < a.length; i++) assert.equal(a[i]!.prevHash, a[i - 1]!.hash);
      assert.equal(a[4]!.hash, chainHash(a[4]!.prevHash, a[4]!.record));
      assert.deepEqual((await store.auditEvents.chain(B, 1, 100)).map((e) => e.seq), [1, 2]);
      assert.deepEqual(await verifyChain(store), { ok: true, accounts: 2, events: 7 });
    });

    it('looks up by every column, newest first, within a window, in keyset pages', async () => {
      const by = async (column: Parameters<Store['auditEvents']['lookup']>[0]['attribute'] extends infer X ? X extends { column: infer C } ? C : never : never, value: string) =>
        (await store.auditEvents.lookup({ accountId: A, attribute: { column, value }, limit: 50 })).map((e) => e.eventId);
      assert.deepEqual(await by('event_name', 'GetUser'), ['e-1-00005', 'e-1-00003', 'e-1-00001']);
      assert.deepEqual(await by('read_only', 'false'), ['e-1-00004', 'e-1-00002']);
      assert.deepEqual(await by('username', 'user1'), ['e-1-00004', 'e-1-00001']);
      assert.deepEqual(await by('access_key_id', `AKIA${'1'.padStart(16, '0')}`), ['e-1-00005', 'e-1-00001']);
      assert.deepEqual(await by('resource_name', 'r3'), ['e-1-00003']);
      assert.deepEqual(await by('directory_id', 'guid-1'), ['e-1-00005', 'e-1-00003', 'e-1-00001']);
      assert.deepEqual(await by('event_id', 'e-1-00002'), ['e-1-00002']);
      const window = await store.auditEvents.lookup({ accountId: A, start: T0 + 2 * 60_000, end: T0 + 4 * 60_000, limit: 50 });
      assert.deepEqual(window.map((e) => e.eventId), ['e-1-00004', 'e-1-00003', 'e-1-00002']);
      const p1 = await store.auditEvents.lookup({ accountId: A, limit: 2 });
      const p2 = await store.auditEvents.lookup({ accountId: A, limit: 2, after: { eventTime: p1[1]!.eventTime, eventId: p1[1]!.eventId } });
      assert.deepEqual([...p1, ...p2].map((e) => e.eventId), ['e-1-00005', 'e-1-00004', 'e-1-00003', 'e-1-00002']);
    });

    it('the write hook: the event commits with the write, and not when the write rolls back', async () => {
      const hook = (i: number) => ({ written: false, write: (tx: Parameters<Parameters<Store['transaction']>[0]>[0]) => tx.auditEvents.append([ev(i)]) });
      const h = hook(100);
      await store.withWriteHook(h).accounts.create({ id: '333333333333', createdAt: T0 });
      assert.equal(h.written, true);
      assert.equal((await store.auditEvents.lookup({ accountId: A, attribute: { column: 'event_id', value: 'e-1-00100' }, limit: 5 })).length, 1);
      const failing = hook(101);
      await assert.rejects(store.withWriteHook(failing).transaction(async (tx) => {
        await tx.auditEvents.append([]);
        throw new Error('the write fails');
      }));
      assert.equal(failing.written, false);
      assert.deepEqual((await store.auditEvents.lookup({ accountId: A, attribute: { column: 'event_id', value: 'e-1-00101' }, limit: 5 })).length, 0);
      // An audit failure fails the write: nothing of either commits.
      const broken: WriteHook = { written: false, write: async () => { throw new Error('audit store down'); } };
      await assert.rejects(store.withWriteHook(broken).auditEvents.append([ev(102)]), /audit store down/);
      assert.equal((await store.auditEvents.lookup({ accountId: A, attribute: { column: 'event_id', value: 'e-1-00102' }, limit: 5 })).length, 0);
    });

    it('digests each head once per change; the sweep deletes by time', async () => {
      const d1 = await store.auditEvents.digest(T0 + 1);
      assert.deepEqual(d1.map((d) => d.accountId).sort(), [A, B]);
      assert.deepEqual(await store.auditEvents.digest(T0 + 2), []);
      assert.equal((await store.auditEvents.digests(A)).at(-1)!.hash, (await store.auditEvents.head(A))!.hash);
      const swept = await store.auditEvents.sweep(T0 + 2 * 60_000);
      assert.equal(swept, 2); // A#1 and B#1
      assert.deepEqual(await verifyChain(store), { ok: true, accounts: 2, events: 6 }); // 7 + the hook's event − 2 swept
    });
  });
}

const tmp = tempDir();
after(() => tmp.cleanup());
suite('sqlite', () => openStore(`sqlite:${join(tmp.dir, 'audit.db')}`, { dataDir: tmp.dir }));

const pgSchema = await scratchSchema('gh_audit');
const { unreachable } = pgSchema;
if (unreachable === undefined) {
  after(() => pgSchema.drop());
  suite('postgres', () => openStore(pgSchema.url, { dataDir: '.' }));
} else {
  describe('audit repository (postgres)', { skip: process.env.CI === 'true' ? false : `PostgreSQL unreachable: ${unreachable}` }, () => {
    it('needs PostgreSQL', () => assert.fail(`PostgreSQL unreachable: ${unreachable}`));
  });
}
