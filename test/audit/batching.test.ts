/**
 * When queued events are written: a full batch (FLUSH_AT events) goes at once, without waiting
 * for `audit.flushMs`; fewer wait for the timer. Here flushMs is a minute, so only the size
 * trigger can write them within the test.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { FLUSH_AT } from '../../src/audit/recorder.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';

const tmp = tempDir();
let gh: TestGatehouse;
before(async () => {
  gh = await startGatehouse({ configFile: tmp.write('c.yaml', JSON.stringify({ audit: { flushMs: 60_000 } })) });
  await gh.iam().send(new CreateUserCommand({ UserName: 'reader' }));
});
after(async () => {
  await gh.close();
  tmp.cleanup();
});

const stored = async () => (await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'GetUser' }, limit: 1_000 })).length;

async function reads(n: number): Promise<void> {
  const iam = gh.iam();
  for (let i = 0; i < n; i += 20) await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => iam.send(new GetUserCommand({ UserName: 'reader' }))));
}

test(`fewer than ${FLUSH_AT} queued reads wait for the timer; the ${FLUSH_AT}th sends them all at once`, async () => {
  const queued = FLUSH_AT - 1 - gh.server.audit!.trail.depth; // the write's event is stored, not queued
  await reads(queued);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await stored(), 0, 'below the batch size, nothing is written before flushMs');
  assert.equal(gh.server.audit!.trail.depth, FLUSH_AT - 1);

  await reads(1);
  const deadline = Date.now() + 5_000;
  while ((await stored()) < queued + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await stored(), queued + 1, 'a full batch is written well before flushMs (60 s)');
  assert.equal(gh.server.audit!.trail.depth, 0);
});
