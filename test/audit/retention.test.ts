/**
 * Retention and digests on a frozen clock: events older than audit.retentionDays are swept,
 * newer ones kept, the chain still verifies from the oldest kept event, and a digest of the
 * head is recorded and logged once digestMinutes have passed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateUserCommand } from '@aws-sdk/client-iam';
import { FixedClock } from '../../src/shared/clock.js';
import { verifyChain } from '../../src/audit/chain.js';
import { startGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { captureLogger } from '../support/app.js';
import { clientsAt } from '../sts/helpers.js';

test('retentionDays sweep and digests', async () => {
  const tmp = tempDir();
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const { logger, lines } = captureLogger();
  const gh = await startGatehouse({ clock, logger, configFile: tmp.write('c.yaml', JSON.stringify({ audit: { retentionDays: 2, digestMinutes: 60 } })) });
  try {
    const iam = () => clientsAt(gh, clock).iam();
    await iam().send(new CreateUserCommand({ UserName: 'old-1' }));
    await iam().send(new CreateUserCommand({ UserName: 'old-2' }));
    clock.advance(3 * 86_400_000);
    await iam().send(new CreateUserCommand({ UserName: 'new-1' }));
    await gh.server.audit!.maintain();
    const kept = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'CreateUser' }, limit: 50 });
    assert.deepEqual(kept.map((r) => r.resourceName), ['new-1']);
    assert.equal((await verifyChain(gh.server.store)).ok, true);
    const digests = await gh.server.store.auditEvents.digests(gh.accountId);
    assert.equal(digests.length, 1);
    assert.deepEqual({ seq: digests[0]!.seq, hash: digests[0]!.hash }, await gh.server.store.auditEvents.head(gh.accountId));
    assert.ok(lines.some((l) => l.includes('"audit.digest"') && l.includes(digests[0]!.hash)));
  } finally {
    await gh.close();
    tmp.cleanup();
  }
});
