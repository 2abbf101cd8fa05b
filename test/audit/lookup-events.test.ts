/**
 * LookupEvents end to end against a real slapd: a portal user's session (sign-in → mint →
 * console → API calls) is found with `aws cloudtrail lookup-events` (/usr/bin/aws 2.9) and with
 * @aws-sdk/client-cloudtrail, by Username and by the person's directory id; CloudTrail's
 * validation errors; policy authorisation (cloudtrail:LookupEvents).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CreateAccessKeyCommand, CreateUserCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { credentialsIn, openConsole, portalEnv, postForm, signedIn, type PortalEnv } from '../portal/helpers.js';
import type { Credentials } from '../support/gatehouse.js';

const skip = slapdSkip();

describe('LookupEvents over a portal session (slapd)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let roleCreds: Credentials;
  const ct = (credentials: Credentials) => new CloudTrailClient({ endpoint: env.gh.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  const lookup = (input: LookupEventsCommandInput, credentials: Credentials = env.gh.root) => ct(credentials).send(new LookupEventsCommand(input));

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd);
    // bob: sign in, open the console as Admin (a role session), take CLI credentials, call IAM.
    const { agent } = await signedIn(env.gh.url, 'bob', slapd.passwords.bob!);
    await openConsole(agent, 'Admin', env.gh.server.config.federation.consoleUrl);
    const page = await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' });
    assert.equal(page.status, 200);
    roleCreds = credentialsIn(page.text);
    await env.gh.iam(roleCreds).send(new ListUsersCommand({}));
    const cli = await env.gh.cli(['iam', 'get-user', '--user-name', 'gatehouse-broker'], roleCreds);
    assert.equal(cli.status, 0, cli.stderr);
    await env.gh.server.audit!.trail.flush();
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('aws cloudtrail lookup-events finds the whole session by Username', async () => {
    const r = await env.gh.cli(['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=Username,AttributeValue=bob']);
    assert.equal(r.status, 0, r.stderr);
    const names = (r.json.Events as Array<{ EventName: string }>).map((e) => e.EventName);
    for (const n of ['PortalSignIn', 'GetRoleCredentials', 'Federate', 'ConsoleLogin', 'ListUsers', 'GetUser']) assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
    const call = (r.json.Events as Array<{ EventName: string; CloudTrailEvent: string; EventTime: string; ReadOnly: string; AccessKeyId: string }>).find((e) => e.EventName === 'ListUsers')!;
    assert.equal(call.ReadOnly, 'true');
    assert.equal(call.AccessKeyId, roleCreds.accessKeyId);
    const record = JSON.parse(call.CloudTrailEvent);
    assert.equal(record.userIdentity.type, 'AssumedRole');
    assert.equal(record.userIdentity.sessionContext.sessionIssuer.userName, 'PortalAdmin');
    assert.equal(record.userIdentity.sessionContext.sourceIdentity, 'bob');
    assert.match(record.userIdentity.sessionContext.directoryIdentity.dn, /^uid=bob,/);
    assert.ok(record.userIdentity.sessionContext.directoryIdentity.stableId, 'the stable id (entryUUID)');
  });

  it('the SDK client finds the same by the person\'s directory id (DirectoryId extension), paged', async () => {
    const all = await lookup({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'bob' }] });
    const rec = JSON.parse(all.Events!.find((e) => e.EventName === 'ListUsers')!.CloudTrailEvent!);
    const stableId = rec.userIdentity.sessionContext.directoryIdentity.stableId as string;
    const byId = await lookup({ LookupAttributes: [{ AttributeKey: 'DirectoryId' as never, AttributeValue: stableId }] });
    const names = byId.Events!.map((e) => e.EventName);
    for (const n of ['PortalSignIn', 'GetRoleCredentials', 'ListUsers']) assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
    assert.ok(byId.Events![0]!.EventTime instanceof Date);
    // Pages of 2 until the end, no duplicates, same set.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await lookup({ LookupAttributes: [{ AttributeKey: 'DirectoryId' as never, AttributeValue: stableId }], MaxResults: 2, ...(token && { NextToken: token }) });
      assert.ok(page.Events!.length <= 2);
      seen.push(...page.Events!.map((e) => e.EventId!));
      token = page.NextToken;
    } while (token);
    assert.deepEqual(seen.sort(), byId.Events!.map((e) => e.EventId!).sort());
  });

  it('CloudTrail validation errors', async () => {
    await assert.rejects(lookup({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'a' }, { AttributeKey: 'EventName', AttributeValue: 'b' }] }), { name: 'InvalidLookupAttributesException' });
    await assert.rejects(lookup({ LookupAttributes: [{ AttributeKey: 'Bogus' as never, AttributeValue: 'a' }] }), { name: 'InvalidLookupAttributesException' });
    await assert.rejects(lookup({ MaxResults: 51 }), { name: 'InvalidMaxResultsException' });
    await assert.rejects(lookup({ MaxResults: 0 }), { name: 'InvalidMaxResultsException' });
    await assert.rejects(lookup({ StartTime: new Date(2026, 1, 2), EndTime: new Date(2026, 1, 1) }), { name: 'InvalidTimeRangeException' });
    await assert.rejects(lookup({ NextToken: 'bm9wZQ' }), { name: 'InvalidNextTokenException' });
    const cli = await env.gh.cli(['cloudtrail', 'lookup-events', '--max-results', '51']);
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /InvalidMaxResultsException/);
  });

  it('authorised by policy: an IAM user without cloudtrail:LookupEvents is refused, with it allowed', async () => {
    const iam = env.gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'auditor' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'auditor' }))).AccessKey!;
    const creds = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    await assert.rejects(lookup({}, creds), { name: 'AccessDeniedException' });
    await iam.send(new PutUserPolicyCommand({ UserName: 'auditor', PolicyName: 'ct', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'cloudtrail:LookupEvents', Resource: '*' }] }) }));
    const ok = await lookup({ MaxResults: 5, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateUser' }] }, creds);
    assert.ok(ok.Events!.some((e) => e.Username === 'root' && JSON.parse(e.CloudTrailEvent!).requestParameters.userName === 'auditor'));
    assert.deepEqual(ok.Events![0]!.Resources, [{ ResourceType: 'AWS::IAM::User', ResourceName: 'auditor' }]);
  });
});
