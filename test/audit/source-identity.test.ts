/**
 * SourceIdentity on AssumeRole, as AWS has it: sts:SetSourceIdentity needed in the caller's
 * policies and in the role's trust policy; the `aws:` prefix refused; returned in the response;
 * every later call of the session carries it in userIdentity.sessionContext.sourceIdentity and
 * as aws:SourceIdentity; role chaining keeps it and cannot change it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { creds, userWithKey } from '../sts/helpers.js';

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('AssumeRole SourceIdentity', () => {
  let gh: TestGatehouse;
  let allowed: Credentials & { arn: string };
  let plain: Credentials & { arn: string };
  const roleArn = (n: string) => `arn:aws:iam::${gh.accountId}:role/${n}`;

  before(async () => {
    gh = await startGatehouse();
    allowed = await userWithKey(gh, 'si-allowed', doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }));
    plain = await userWithKey(gh, 'si-plain', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
    const iam = gh.iam();
    const trust = (actions: string[], principals = [allowed.arn, plain.arn]) => doc({ Effect: 'Allow', Principal: { AWS: principals }, Action: actions });
    await iam.send(new CreateRoleCommand({ RoleName: 'si-open', AssumeRolePolicyDocument: trust(['sts:AssumeRole', 'sts:SetSourceIdentity']) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'si-open', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: ['iam:ListUsers', 'sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'alice-si' } } }) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'si-closed', AssumeRolePolicyDocument: trust(['sts:AssumeRole']) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'si-next', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: roleArn('si-open') }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'si-next', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) }));
  });
  after(() => gh.close());

  const assume = (c: Credentials, role: string, extra: object = {}) => gh.sts(c).send(new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: 'si-session', ...extra }));

  it('needs sts:SetSourceIdentity in the trust policy and in the caller\'s policies', async () => {
    await assert.rejects(assume(allowed, 'si-closed', { SourceIdentity: 'alice-si' }), { name: 'AccessDenied', message: /sts:SetSourceIdentity/ });
    await assert.rejects(assume(plain, 'si-open', { SourceIdentity: 'alice-si' }), { name: 'AccessDenied', message: /sts:SetSourceIdentity/ });
    await assert.rejects(assume(allowed, 'si-open', { SourceIdentity: 'aws:alice' }), { name: 'ValidationError' });
    // Without SourceIdentity the role is assumed as before.
    await assume(plain, 'si-closed');
  });

  it('is returned, carried in every later event, usable as aws:SourceIdentity, and kept through chaining', async () => {
    const out = await assume(allowed, 'si-open', { SourceIdentity: 'alice-si' });
    assert.equal(out.SourceIdentity, 'alice-si');
    const session = creds(out.Credentials);
    await gh.iam(session).send(new ListUsersCommand({})); // allowed only with aws:SourceIdentity = alice-si
    await assert.rejects(gh.sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn('si-next'), RoleSessionName: 'chained', SourceIdentity: 'mallory' })), { name: 'AccessDenied' });
    const chained = await gh.sts(session).send(new AssumeRoleCommand({ RoleArn: roleArn('si-next'), RoleSessionName: 'chained' }));
    assert.equal(chained.SourceIdentity, 'alice-si');
    await gh.iam(creds(chained.Credentials)).send(new ListUsersCommand({}));
    await gh.server.audit!.trail.flush();
    const rows = await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'event_name', value: 'ListUsers' }, limit: 10 });
    const contexts = rows.map((r) => JSON.parse(r.record).userIdentity.sessionContext);
    assert.equal(contexts.length, 2);
    for (const c of contexts) assert.equal(c.sourceIdentity, 'alice-si');
    assert.deepEqual(contexts.map((c) => c.sessionIssuer.userName).sort(), ['si-next', 'si-open']);
  });
});
