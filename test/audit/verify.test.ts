/**
 * `gatehouse audit verify`: a 10,000-event chain is intact; one edited row is found and named
 * (account, seq, event id), by the library and by the command (exit 1); `--from` starts later;
 * a deleted event in the middle is named as a gap. Sink rotation by size.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type AuditEventInput, type Store } from '../../src/store/index.js';
import { verifyChain } from '../../src/audit/chain.js';
import { FileSink } from '../../src/audit/sink.js';
import { tempDir } from '../support/files.js';
import { rawDatabase } from '../support/sqlite.js';
import { gatehouse } from '../support/cli.js';

const tmp = tempDir();
const file = join(tmp.dir, 'gatehouse.db');
let store: Store;
const T0 = Date.UTC(2026, 5, 1);

function event(i: number, accountId = '123456789012'): AuditEventInput {
  const record = JSON.stringify({ eventVersion: '1.08', eventID: `ev-${String(i).padStart(6, '0')}`, eventName: 'GetUser', n: i });
  return { accountId, eventId: `ev-${String(i).padStart(6, '0')}`, eventTime: T0 + i * 1000, eventName: 'GetUser', eventSource: 'iam.amazonaws.com', readOnly: true, username: `u${i % 50}`, accessKeyId: null, resourceType: null, resourceName: null, directoryId: null, directoryDn: null, record };
}

before(async () => {
  store = await openStore(`sqlite:${file}`, { dataDir: tmp.dir });
  for (let b = 0; b < 10; b++) {
    const batch = Array.from({ length: 1000 }, (_, j) => event(b * 1000 + j + 1));
    await store.transaction((tx) => tx.auditEvents.append(batch));
  }
});
after(async () => {
  await store.close();
  tmp.cleanup();
});

test('10,000 events: intact', async () => {
  const r = await verifyChain(store);
  assert.deepEqual(r, { ok: true, accounts: 1, events: 10_000 });
});

test('one edited record is named by seq and event id; the command exits 1 naming it', async () => {
  const db = rawDatabase(file);
  const row = db.prepare('SELECT record FROM audit_events WHERE seq = 6789').get() as { record: string };
  db.prepare('UPDATE audit_events SET record = ? WHERE seq = 6789').run(row.record.replace('"n":6789', '"n":6790'));
  db.close();
  const r = await verifyChain(store);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.seq, 6789);
  assert.equal(!r.ok && r.eventId, 'ev-006789');
  assert.match(!r.ok ? r.reason : '', /record was changed/);
  const cli = await gatehouse(['audit', 'verify'], '', { GATEHOUSE_DATA_DIR: tmp.dir, GATEHOUSE_CONFIG: '' });
  assert.equal(cli.code, 1, cli.stderr);
  assert.match(cli.stderr, /BROKEN at account 123456789012 seq 6789 \(event ev-006789\)/);
  // --from past the edit: intact from there.
  const later = await gatehouse(['audit', 'verify', '--from', new Date(T0 + 7000 * 1000).toISOString()], '', { GATEHOUSE_DATA_DIR: tmp.dir, GATEHOUSE_CONFIG: '' });
  assert.equal(later.code, 0, later.stderr);
  assert.match(later.stdout, /intact: 3001 events/);
  // Put it back, then delete one: a gap.
  const db2 = rawDatabase(file);
  db2.prepare('UPDATE audit_events SET record = ? WHERE seq = 6789').run(row.record);
  db2.prepare('DELETE FROM audit_events WHERE seq = 8000').run();
  db2.close();
  const gap = await verifyChain(store);
  assert.equal(!gap.ok && gap.seq, 8001);
  assert.match(!gap.ok ? gap.reason : '', /missing events/);
});

test('the file sink rotates by size and keeps maxFiles', async () => {
  const path = join(tmp.dir, 'audit.jsonl');
  const sink = new FileSink(path, 2048, 2);
  for (let i = 0; i < 100; i++) sink.write(JSON.stringify({ i, pad: 'x'.repeat(80) }));
  await sink.close();
  assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`) && !existsSync(`${path}.3`));
  const last = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).i as number);
  assert.equal(last.at(-1), 99);
  assert.ok(readFileSync(`${path}.1`, 'utf8').length <= 2048);
});
