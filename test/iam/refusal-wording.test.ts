/**
 * SECURITY.md H4: a caller with no permissions cannot learn who exists from AccessDenied.
 * The refusal names the resource as AWS words it, from the request alone (`user NAME`,
 * `group NAME`, `role NAME`: the name as sent, no path, no canonical case), so it reads the
 * same whether or not the entity exists, with any path or letter case. Authorisation itself
 * still uses the entity's real ARN (a policy on its path allows it).
 *
 * Table: every name-addressed user/group/role action × existing (in its own and other cases)
 * and missing names; property: any name, any such action; and the same from a federated
 * (portal-style GetFederationToken) session, whose IAM calls are refused outright.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CreateAccessKeyCommand, CreateGroupCommand, CreateRoleCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, xmlText } from '../support/signed.js';

type Kind = 'user' | 'group' | 'role';

/** Name-addressed actions: the parameter that names the entity, and its kind. */
const ACTIONS: Array<{ action: string; kind: Kind; param: string; extra?: Record<string, string> }> = [
  { action: 'GetUser', kind: 'user', param: 'UserName' },
  { action: 'ListUserPolicies', kind: 'user', param: 'UserName' },
  { action: 'ListAttachedUserPolicies', kind: 'user', param: 'UserName' },
  { action: 'ListAccessKeys', kind: 'user', param: 'UserName' },
  { action: 'ListGroupsForUser', kind: 'user', param: 'UserName' },
  { action: 'GetLoginProfile', kind: 'user', param: 'UserName' },
  { action: 'ListMFADevices', kind: 'user', param: 'UserName' },
  { action: 'ListUserTags', kind: 'user', param: 'UserName' },
  { action: 'DeleteUser', kind: 'user', param: 'UserName' },
  { action: 'GetUserPolicy', kind: 'user', param: 'UserName', extra: { PolicyName: 'p' } },
  { action: 'GetGroup', kind: 'group', param: 'GroupName' },
  { action: 'ListGroupPolicies', kind: 'group', param: 'GroupName' },
  { action: 'DeleteGroup', kind: 'group', param: 'GroupName' },
  { action: 'AddUserToGroup', kind: 'group', param: 'GroupName', extra: { UserName: 'Bob' } },
  { action: 'GetRole', kind: 'role', param: 'RoleName' },
  { action: 'ListRolePolicies', kind: 'role', param: 'RoleName' },
  { action: 'ListAttachedRolePolicies', kind: 'role', param: 'RoleName' },
  { action: 'DeleteRole', kind: 'role', param: 'RoleName' },
];

/** What exists (with a path and mixed case), by kind. */
const EXISTING: Record<Kind, string> = { user: 'Bob', group: 'Admins', role: 'Deployer' };

const flipCase = (s: string, mask: readonly boolean[]) => [...s].map((c, i) => (mask[i % Math.max(mask.length, 1)] ? c.toUpperCase() : c.toLowerCase())).join('');

describe('AccessDenied reads the same whether or not the entity exists (H4)', () => {
  let gh: TestGatehouse;
  let nobody: Credentials;
  let nobodyArn: string;
  let federated: Credentials;
  let bobKey: string;

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'Bob', Path: '/secret/team/' }));
    bobKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'Bob' }))).AccessKey!.AccessKeyId!;
    await iam.send(new CreateGroupCommand({ GroupName: 'Admins', Path: '/ops/' }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${gh.accountId}:root` }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'Deployer', Path: '/svc/', AssumeRolePolicyDocument: trust }));
    nobodyArn = (await iam.send(new CreateUserCommand({ UserName: 'nobody' }))).User!.Arn!;
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }));
    nobody = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    // A portal-style federated session (GetFederationToken as a broker), allowed iam:* by its policy.
    await iam.send(new CreateUserCommand({ UserName: 'broker' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'broker', PolicyName: 'b', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:GetFederationToken', 'iam:*'], Resource: '*' }] }) }));
    const bk = (await iam.send(new CreateAccessKeyCommand({ UserName: 'broker' }))).AccessKey!;
    const fed = await gh.sts({ accessKeyId: bk.AccessKeyId!, secretAccessKey: bk.SecretAccessKey! }).send(new GetFederationTokenCommand({
      Name: 'alice', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }),
    }));
    federated = { accessKeyId: fed.Credentials!.AccessKeyId!, secretAccessKey: fed.Credentials!.SecretAccessKey!, sessionToken: fed.Credentials!.SessionToken! };
  });
  after(() => gh?.close());

  /** The refusal's code and message for `action` on `name`, as `who`. */
  async function refusal(who: Credentials, a: (typeof ACTIONS)[number], name: string): Promise<{ status: number; code?: string; message?: string }> {
    const params: Record<string, string> = { Action: a.action, [a.param]: name, ...a.extra };
    const res = await call(gh.url, who, who.sessionToken ? { ...params, SecurityToken: who.sessionToken } : params);
    return { status: res.status, code: xmlText(res.body, 'Code'), message: xmlText(res.body, 'Message') };
  }

  const expected = (a: (typeof ACTIONS)[number], name: string) =>
    `User: ${nobodyArn} is not authorized to perform: iam:${a.action} on resource: ${a.kind} ${name} because no identity-based policy allows the iam:${a.action} action`;

  it('H4: every name-addressed action, existing names in any case and missing names: AWS wording from the input alone', async () => {
    for (const a of ACTIONS) {
      const real = EXISTING[a.kind];
      for (const name of [real, real.toLowerCase(), real.toUpperCase(), `${real}x`, 'ghost']) {
        const r = await refusal(nobody, a, name);
        assert.equal(r.status, 403, `${a.action} ${name}`);
        assert.equal(r.code, 'AccessDenied');
        assert.equal(r.message, expected(a, name), `${a.action} on ${name}`);
        assert.doesNotMatch(r.message!, /secret|team|\/ops\/|\/svc\//, 'no real path');
      }
    }
  });

  it('H4: property: any name and action gives the message built from the input (existing or not)', async () => {
    const name = fc.oneof(
      fc.tuple(fc.constantFrom(...Object.values(EXISTING)), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 })).map(([n, mask]) => flipCase(n, mask)),
      fc.stringMatching(/^[\w+=,.@-]{1,24}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ACTIONS), name, async (a, n) => {
        const r = await refusal(nobody, a, n);
        assert.equal(r.message, expected(a, n));
      }),
      { numRuns: 60 },
    );
  });

  it("H4: GetAccessKeyLastUsed does not name an existing key's owner", async () => {
    const a = { action: 'GetAccessKeyLastUsed', kind: 'user' as Kind, param: 'AccessKeyId' };
    const known = await refusal(nobody, a, bobKey);
    const unknown = await refusal(nobody, a, 'AKIAZZZZZZZZZZZZZZZZ');
    assert.equal(known.code, 'AccessDenied');
    assert.doesNotMatch(known.message!, /Bob|secret/);
    assert.equal(known.message!.replace(bobKey, 'KEY'), unknown.message!.replace('AKIAZZZZZZZZZZZZZZZZ', 'KEY'));
  });

  it('H4: from a federated (portal) session, the refusal of IAM reads the same for existing and missing names', async () => {
    for (const a of ACTIONS.filter((x) => ['GetUser', 'GetGroup', 'GetRole'].includes(x.action))) {
      const real = EXISTING[a.kind];
      const messages = new Set<string>();
      for (const name of [real, real.toLowerCase(), 'ghost']) {
        const r = await refusal(federated, a, name);
        assert.equal(r.code, 'AccessDenied', `${a.action} ${name}`);
        assert.doesNotMatch(r.message!, /secret|\/ops\/|\/svc\//);
        messages.add(r.message!.replace(name, 'NAME'));
      }
      assert.equal(messages.size, 1, [...messages].join('\n'));
    }
  });

  it('H4: authorisation still uses the real ARN (a policy on the real path allows the existing user)', async () => {
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'pathed' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'pathed', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${gh.accountId}:user/secret/*` }] }) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'pathed' }))).AccessKey!;
    const who = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    const ok = await call(gh.url, who, { Action: 'GetUser', UserName: 'bob' });
    assert.equal(ok.status, 200, ok.body);
    assert.equal(xmlText(ok.body, 'Path'), '/secret/team/');
    const no = await call(gh.url, who, { Action: 'GetUser', UserName: 'nobody' });
    assert.equal(no.status, 403);
    assert.match(xmlText(no.body, 'Message')!, /on resource: user nobody because/);
  });
});
