/**
 * A failing audit store (its table renamed away under the running server, real SQLite):
 * IAM writes fail and leave nothing behind (fail closed); with `audit.failReads: true` reads
 * are refused with 503 once a flush has failed; queued events wait and are stored when the
 * store is back. With the default (`failReads: false`) reads are served meanwhile.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { startGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { rawDatabase } from '../support/sqlite.js';

for (const failReads of [true, false]) {
  test(`audit store down, failReads: ${failReads}`, async () => {
    const tmp = tempDir();
    const dataDir = join(tmp.dir, 'data');
    const gh = await startGatehouse({ dataDir, configFile: tmp.write('c.yaml', JSON.stringify({ audit: { failReads, flushMs: 60_000 } })) });
    const db = rawDatabase(join(dataDir, 'gatehouse.db'));
    try {
      const iam = gh.iam();
      await iam.send(new CreateUserCommand({ UserName: 'before' }));
      db.exec('ALTER TABLE audit_events RENAME TO audit_events_away');
      // A write fails, and nothing of it is committed.
      await assert.rejects(iam.send(new CreateUserCommand({ UserName: 'during' })), (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 500);
      assert.equal(await gh.server.store.users.get(gh.accountId, 'during'), undefined);
      // A read is served (queued), then the flush fails.
      await iam.send(new GetUserCommand({ UserName: 'before' }));
      await gh.server.audit!.trail.flush();
      assert.equal(gh.server.audit!.trail.healthy, false);
      const read = iam.send(new GetUserCommand({ UserName: 'before' }));
      if (failReads) await assert.rejects(read, (err: { $metadata?: { httpStatusCode?: number } }) => err.$metadata?.httpStatusCode === 503);
      else await read;
      // The store is back: the waiting events are stored, reads are served again.
      db.exec('ALTER TABLE audit_events_away RENAME TO audit_events');
      await gh.server.audit!.trail.flush();
      assert.equal(gh.server.audit!.trail.healthy, true);
      await iam.send(new GetUserCommand({ UserName: 'before' }));
      await gh.server.audit!.trail.flush();
      const gets = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'GetUser' }, limit: 50 });
      assert.equal(gets.length, 3);
      if (failReads) assert.equal(gets.filter((r) => JSON.parse(r.record).errorCode === 'ServiceUnavailable').length, 1);
      const creates = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'CreateUser' }, limit: 50 });
      const failed = creates.map((r) => JSON.parse(r.record)).filter((r) => r.errorCode);
      assert.equal(failed.length, 1, 'the failed write is recorded as a failure once the store is back');
      assert.equal(failed[0].requestParameters.userName, 'during');
    } finally {
      db.close();
      await gh.close();
      tmp.cleanup();
    }
  });
}
