/**
 * Sign-in events from their own routes: an IAM user's console sign-in (refused, then
 * accepted: ConsoleLogin on signin.amazonaws.com with ConsoleLogin Success/Failure and
 * MFAUsed), sign-out (ConsoleSignOut), and a federated console session timing out on the
 * frozen clock (ConsoleSessionTimeout, reason expired); sign-ins counted by channel.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { federationCredentials, openConsole, post, setup, signIn, allow, doc, type ConsoleEnv } from '../console/helpers.js';

describe('sign-in events', () => {
  let env: ConsoleEnv;
  const password = `Pw-${randomBytes(12).toString('base64url')}-7a!`;
  before(async () => {
    env = await setup();
    const iam = env.sdk().iam();
    await iam.send(new CreateUserCommand({ UserName: 'signer' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'signer', Password: password }));
  });
  after(() => env.close());

  const events = async (name: string) => {
    await env.gh.server.audit!.trail.flush();
    return (await env.gh.server.store.auditEvents.lookup({ accountId: env.gh.accountId, attribute: { column: 'event_name', value: name }, limit: 50 })).map((r) => JSON.parse(r.record));
  };

  it('an IAM user: refused then accepted ConsoleLogin, then ConsoleSignOut', async () => {
    const agent = supertest.agent(env.gh.url);
    assert.equal((await signIn(agent, { account: env.gh.accountId, username: 'signer', password: `${password}x` })).status, 401);
    assert.equal((await signIn(agent, { account: env.gh.accountId, username: 'signer', password })).status, 303);
    assert.equal((await post(agent, '/console/logout')).status, 303);
    const logins = (await events('ConsoleLogin')).filter((r) => r.userIdentity.userName === 'signer');
    assert.equal(logins.length, 2);
    const [ok, refused] = [logins.find((r) => !r.errorCode), logins.find((r) => r.errorCode)];
    assert.equal(ok.eventSource, 'signin.amazonaws.com');
    assert.equal(ok.eventType, 'AwsConsoleSignIn');
    assert.deepEqual(ok.responseElements, { ConsoleLogin: 'Success' });
    assert.equal(ok.additionalEventData.MFAUsed, 'No');
    assert.equal(ok.userIdentity.type, 'IAMUser');
    assert.match(ok.userIdentity.arn, /:user\/signer$/);
    assert.deepEqual(refused.responseElements, { ConsoleLogin: 'Failure' });
    assert.equal(refused.errorMessage, 'Failed authentication');
    const out = await events('ConsoleSignOut');
    assert.equal(out.length, 1);
    assert.equal(out[0].userIdentity.userName, 'signer');
    for (const r of logins) assert.ok(!JSON.stringify(r).includes(password));
    const metrics = await (await fetch(env.gh.server.metricsUrl!)).text();
    assert.match(metrics, /gatehouse_signins_total\{channel="console",result="success"\} 1/);
  });

  it('a federated console session that expires: ConsoleSessionTimeout', async () => {
    const agent = await openConsole(env, await federationCredentials(env, doc(allow('iam:List*')), 900));
    assert.equal((await agent.get('/console/')).status, 200);
    env.clock.advance(901_000);
    assert.equal((await agent.get('/console/')).status, 401);
    const timeouts = await events('ConsoleSessionTimeout');
    assert.equal(timeouts.length, 1);
    assert.equal(timeouts[0].userIdentity.type, 'FederatedUser');
    assert.equal(timeouts[0].additionalEventData.reason, 'expired');
  });
});
