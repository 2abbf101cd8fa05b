/**
 * The audit trail through the real SDK: every IAM and STS call (allowed or refused) becomes
 * one CloudTrail record; IAM writes commit with their event; secrets never appear.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { chainHash, GENESIS_HASH } from '../../src/store/index.js';
import { randomBytes } from 'node:crypto';

let gh: TestGatehouse;
before(async () => {
  gh = await startGatehouse();
});
after(() => gh.close());

async function events(name: string) {
  await gh.server.audit!.trail.flush();
  const rows = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: name }, limit: 50 });
  return rows.map((r) => ({ row: r, record: JSON.parse(r.record) }));
}

test('an IAM write is recorded in its transaction with the caller, parameters and resource', async () => {
  await gh.iam().send(new CreateUserCommand({ UserName: 'audited-alice', Tags: [{ Key: 'team', Value: 'a' }] }));
  // No flush: the write's event is already stored.
  const rows = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'CreateUser' }, limit: 5 });
  assert.equal(rows.length, 1);
  const r = JSON.parse(rows[0]!.record);
  assert.equal(r.eventVersion, '1.08');
  assert.equal(r.eventSource, 'iam.amazonaws.com');
  assert.equal(r.eventType, 'AwsApiCall');
  assert.equal(r.readOnly, false);
  assert.equal(r.recipientAccountId, gh.accountId);
  assert.equal(r.userIdentity.type, 'Root');
  assert.equal(r.userIdentity.accessKeyId, gh.root.accessKeyId);
  assert.deepEqual(r.requestParameters.userName, 'audited-alice');
  assert.match(r.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(rows[0]!.resourceType, 'AWS::IAM::User');
  assert.equal(rows[0]!.resourceName, 'audited-alice');
  assert.equal(rows[0]!.username, 'root');
});

test('reads and refusals are queued and recorded with their error code', async () => {
  await gh.iam().send(new GetUserCommand({ UserName: 'audited-alice' }));
  await assert.rejects(gh.iam().send(new GetUserCommand({ UserName: 'nobody-here' })), { name: 'NoSuchEntityException' });
  const got = await events('GetUser');
  assert.equal(got.length, 2);
  const refused = got.find((e) => e.record.errorCode);
  assert.equal(refused?.record.errorCode, 'NoSuchEntity');
  assert.ok(refused?.record.errorMessage.includes('nobody-here'));
  assert.ok(got.every((e) => e.record.readOnly === true && e.record.responseElements === null));
});

test('an IAM user refused by policy: AccessDenied recorded, nothing written', async () => {
  const user = 'audited-bob';
  await gh.iam().send(new CreateUserCommand({ UserName: user }));
  const key = (await gh.iam().send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
  const creds = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  await assert.rejects(gh.iam(creds).send(new CreateUserCommand({ UserName: 'should-not-exist' })), { name: 'AccessDenied' });
  const got = (await events('CreateUser')).filter((e) => e.record.errorCode === 'AccessDenied');
  assert.equal(got.length, 1);
  assert.equal(got[0]!.record.userIdentity.type, 'IAMUser');
  assert.equal(got[0]!.record.userIdentity.userName, user);
  assert.equal(got[0]!.row.username, user);
  // The key's secret is in no record.
  const all = await gh.server.store.auditEvents.chain(gh.accountId, 0, 10_000);
  assert.ok(all.every((e) => !e.record.includes(key.SecretAccessKey!)));
});

test('passwords are hidden, STS output keeps no secret or token', async () => {
  const password = `Pw-${randomBytes(12).toString('base64url')}!a1`;
  await gh.iam().send(new CreateLoginProfileCommand({ UserName: 'audited-alice', Password: password }));
  await gh.iam().send(new PutUserPolicyCommand({ UserName: 'audited-alice', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }) }));
  await gh.sts().send(new GetCallerIdentityCommand({}));
  const [lp] = await events('CreateLoginProfile');
  assert.equal(lp!.record.requestParameters.password, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  const all = await gh.server.store.auditEvents.chain(gh.accountId, 0, 10_000);
  assert.ok(all.every((e) => !e.record.includes(password)));
  const [gci] = await events('GetCallerIdentity');
  assert.equal(gci!.record.eventSource, 'sts.amazonaws.com');
});

test('the account chain links every event to the previous one', async () => {
  await gh.server.audit!.trail.flush();
  const all = await gh.server.store.auditEvents.chain(gh.accountId, 0, 10_000);
  assert.ok(all.length >= 8);
  let prev = GENESIS_HASH;
  for (const [i, e] of all.entries()) {
    assert.equal(e.seq, i + 1);
    assert.equal(e.prevHash, prev);
    assert.equal(e.hash, chainHash(prev, e.record));
    prev = e.hash;
  }
  assert.deepEqual(await gh.server.store.auditEvents.head(gh.accountId), { seq: all.length, hash: prev });
});

test('a request refused at authentication is recorded with the key id it claimed, never its secret', async () => {
  const { IAMClient } = await import('@aws-sdk/client-iam');
  const wrong = { accessKeyId: gh.root.accessKeyId, secretAccessKey: randomBytes(30).toString('base64') };
  const client = new IAMClient({ endpoint: gh.url, region: 'us-east-1', credentials: wrong, maxAttempts: 1 });
  await assert.rejects(client.send(new GetUserCommand({ UserName: 'audited-alice' })), { name: 'SignatureDoesNotMatch' });
  const got = (await events('GetUser')).filter((e) => e.record.errorCode === 'SignatureDoesNotMatch');
  assert.equal(got.length, 1);
  assert.equal(got[0]!.record.userIdentity.type, 'Unknown');
  assert.equal(got[0]!.record.userIdentity.accessKeyId, gh.root.accessKeyId);
  assert.equal(got[0]!.row.accessKeyId, gh.root.accessKeyId);
  const all = await gh.server.store.auditEvents.chain(gh.accountId, 0, 10_000);
  assert.ok(all.every((e) => !e.record.includes(wrong.secretAccessKey) && !e.record.includes(gh.root.secretAccessKey)));
});
