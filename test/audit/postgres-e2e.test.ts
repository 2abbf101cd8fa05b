/**
 * The audit trail on a PostgreSQL store, end to end (skipped with a reason when PostgreSQL is
 * unreachable, unless CI=true): an IAM write's event commits in its transaction, reads are
 * flushed, the chain verifies, LookupEvents answers through the SDK.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { verifyChain } from '../../src/audit/chain.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { scratchSchema } from '../support/postgres.js';

const pgSchema = await scratchSchema('gh_audit_e2e');

describe('audit trail on PostgreSQL', { skip: pgSchema.skip }, () => {
  let gh: TestGatehouse;
  before(async () => {
    pgSchema.requireReachable();
    gh = await startGatehouse({ env: { DATABASE_URL: pgSchema.url } });
  });
  after(async () => {
    await gh?.close();
    await pgSchema.drop();
  });

  it('write in its transaction, reads flushed, chain intact, LookupEvents', async () => {
    assert.equal(gh.server.store.kind, 'postgres');
    await gh.iam().send(new CreateUserCommand({ UserName: 'pg-audited' }));
    const write = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'CreateUser' }, limit: 5 });
    assert.equal(write.length, 1, 'the write event is there before any flush');
    await gh.iam().send(new GetUserCommand({ UserName: 'pg-audited' }));
    await gh.server.audit!.trail.flush();
    assert.deepEqual(await verifyChain(gh.server.store), { ok: true, accounts: 1, events: (await gh.server.store.auditEvents.head(gh.accountId))!.seq });
    const ct = new CloudTrailClient({ endpoint: gh.url, region: 'us-east-1', credentials: gh.root, maxAttempts: 1 });
    const out = await ct.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'pg-audited' }] }));
    assert.deepEqual(out.Events!.map((e) => e.EventName).sort(), ['CreateUser', 'GetUser']);
  });
});
