/**
 * AssumeRoleWithWebIdentity and AssumeRoleWithSAML are not implemented: their (unsigned)
 * requests get a clear 400 InvalidAction saying so, not MissingAuthenticationToken, through
 * the real CLI, the SDK and a bare POST.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AssumeRoleWithSAMLCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';

describe('AssumeRoleWithWebIdentity and AssumeRoleWithSAML', () => {
  let gh: TestGatehouse;
  let roleArn: string;
  before(async () => {
    gh = await startGatehouse();
    roleArn = `arn:aws:iam::${gh.accountId}:role/web`;
  });
  after(() => gh?.close());

  it('the CLI (unsigned) gets InvalidAction "not supported by this server"', async () => {
    const token = randomBytes(24).toString('base64url');
    const web = await gh.cli(['sts', 'assume-role-with-web-identity', '--role-arn', roleArn, '--role-session-name', 'app1', '--web-identity-token', token]);
    assert.equal(web.status, 254, web.stderr);
    assert.match(web.stderr, /An error occurred \(InvalidAction\) when calling the AssumeRoleWithWebIdentity operation( \(reached max retries: \d+\))?: AssumeRoleWithWebIdentity is not supported by this server/);
    const saml = await gh.cli(['sts', 'assume-role-with-saml', '--role-arn', roleArn, '--principal-arn', `arn:aws:iam::${gh.accountId}:saml-provider/idp`, '--saml-assertion', randomBytes(64).toString('base64')]);
    assert.equal(saml.status, 254, saml.stderr);
    assert.match(saml.stderr, /\(InvalidAction\) when calling the AssumeRoleWithSAML operation( \(reached max retries: \d+\))?: AssumeRoleWithSAML is not supported by this server/);
  });

  it('the SDK and a bare POST get a 400 with the STS error envelope', async () => {
    const sts = new STSClient({ endpoint: gh.url, region: 'us-east-1', maxAttempts: 1 });
    const err = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 's', WebIdentityToken: 'x'.repeat(10) })).catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'InvalidAction');
    assert.equal((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 400);
    const samlErr = await sts.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: roleArn, SAMLAssertion: 'x'.repeat(10) })).catch((e: Error) => e);
    assert.equal((samlErr as Error).name, 'InvalidAction');
    const res = await fetch(gh.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=${encodeURIComponent(roleArn)}` });
    assert.equal(res.status, 400);
    const xml = await res.text();
    assert.match(xml, /<Code>InvalidAction<\/Code>/);
    assert.match(xml, /xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"/);
    assert.ok(res.headers.get('x-amzn-requestid'));
  });

  it('other unsigned actions still need authentication', async () => {
    const res = await fetch(gh.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>MissingAuthenticationToken<\/Code>/);
  });
});
