/**
 * The canary (SECURITY.md G1–G3 in spirit): a scripted session on the embedded demo directory
 * handles every kind of secret (a refused and an accepted portal password, minted secret keys
 * and session tokens, console sign-in tokens, an IAM password, an access key secret, a virtual
 * MFA seed, a device code); none appears in the store's database files, the audit sink file,
 * or the server's log lines. The session token's HMAC (audit-hmac key) is in the trail instead.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { startGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { captureLogger } from '../support/app.js';
import { credentialsIn, demoLogins, openConsole, postForm, signIn, signedIn } from '../portal/helpers.js';
import { Redactor } from '../../src/audit/secrets.js';

test('no secret of a scripted session in the store, the sink or the logs', { timeout: 120_000 }, async () => {
  const tmp = tempDir();
  const { logger, lines } = captureLogger();
  const sinkFile = join(tmp.dir, 'audit-sink.jsonl');
  const config = tmp.write('canary.yaml', JSON.stringify({ audit: { sink: 'file', file: sinkFile, flushMs: 50 } }));
  const dataDir = join(tmp.dir, 'data');
  const gh = await startGatehouse({ dataDir, configFile: config, logger });
  const secrets: Record<string, string> = {};
  try {
    const logins = demoLogins(dataDir);
    secrets.wrongPassword = `canary-${randomBytes(12).toString('base64url')}`;
    assert.equal((await signIn(supertest.agent(gh.url), 'ada', secrets.wrongPassword)).status, 401);
    secrets.portalPassword = logins.get('ada')!;
    const { agent } = await signedIn(gh.url, 'ada', secrets.portalPassword);
    const { federation } = await openConsole(agent, 'Admin', gh.server.config.federation.consoleUrl);
    secrets.signinToken = federation.searchParams.get('SigninToken')!;
    const creds = credentialsIn((await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' })).text);
    secrets.mintedSecret = creds.secretAccessKey;
    secrets.sessionToken = creds.sessionToken!;
    await gh.iam(creds).send(new ListUsersCommand({}));
    // getSigninToken through the federation endpoint with the minted credentials.
    const session = JSON.stringify({ sessionId: creds.accessKeyId, sessionKey: creds.secretAccessKey, sessionToken: creds.sessionToken });
    const st = await supertest(gh.url).get('/federation').query({ Action: 'getSigninToken', Session: session });
    assert.equal(st.status, 200);
    secrets.signinToken2 = st.body.SigninToken;
    // IAM secrets, as root.
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'canary-user' }));
    secrets.iamPassword = `Pw-${randomBytes(12).toString('base64url')}-9a!`;
    await iam.send(new CreateLoginProfileCommand({ UserName: 'canary-user', Password: secrets.iamPassword }));
    secrets.keySecret = (await iam.send(new CreateAccessKeyCommand({ UserName: 'canary-user' }))).AccessKey!.SecretAccessKey!;
    const mfa = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'canary-mfa' }));
    secrets.mfaSeed = Buffer.from(mfa.VirtualMFADevice!.Base32StringSeed!).toString('utf8');
    // A CLI device authorization (the device code is a secret).
    const da = await supertest(gh.url).post('/portal/oauth/device_authorization').type('form').send({ client_id: 'gatehouse-cli' });
    assert.equal(da.status, 200);
    secrets.deviceCode = da.body.device_code;
    secrets.userCode = da.body.user_code;
    // ada approves it in the portal; the CLI exchanges the device code for a grant and uses it.
    const approval = await agent.get(`/portal/device?user_code=${da.body.user_code}`);
    const approved = await agent.post('/portal/device').type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(approval.text)![1], user_code: da.body.user_code, decision: 'approve' });
    assert.equal(approved.status, 200);
    const tok = await supertest(gh.url).post('/portal/oauth/token').type('form').send({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: da.body.device_code, client_id: 'gatehouse-cli' });
    assert.equal(tok.status, 200, tok.text);
    secrets.grant = tok.body.access_token;
    const viaGrant = await supertest(gh.url).post('/portal/api/credentials').set('Authorization', `Bearer ${secrets.grant}`).set('Content-Type', 'application/json').send(JSON.stringify({ permissionSet: 'Admin' }));
    assert.equal(viaGrant.status, 200, viaGrant.text);
    secrets.grantMintedSecret = viaGrant.body.SecretAccessKey;
    secrets.grantMintedToken = viaGrant.body.SessionToken;
    await gh.server.audit!.trail.flush();
    const names = (await gh.server.store.auditEvents.lookup({ accountId: gh.accountId, attribute: { column: 'username', value: 'ada' }, limit: 50 })).map((r) => r.eventName);
    for (const n of ['PortalSignIn', 'GetRoleCredentials', 'Federate', 'ApproveCliSignIn', 'CreateCliGrant', 'UseCliGrant']) assert.ok(names.includes(n), `${n} in ${names.join(',')}`);
  } finally {
    await gh.close(); // flushes the queue and closes the sink
  }
  try {
    for (const [name, value] of Object.entries(secrets)) assert.ok(value && value.length >= 8, `${name} was captured`);
    const dbFiles = readdirSync(dataDir).filter((f) => f.startsWith('gatehouse.db')).map((f) => join(dataDir, f));
    const haystacks: Record<string, string> = {
      logs: lines.join('\n'),
      sink: readFileSync(sinkFile, 'utf8'),
      ...Object.fromEntries(dbFiles.map((f) => [f, readFileSync(f).toString('latin1')])),
    };
    assert.ok(haystacks.sink!.includes('"eventName":"GetRoleCredentials"'), 'the sink has the session');
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, value] of Object.entries(secrets)) {
        // The device_authorizations table keeps the pending user code itself (it is looked up by
        // the code the person types; store/sql/cli-grants.ts): only the trail and the logs must not.
        if (name === 'userCode' && where.includes('gatehouse.db')) continue;
        assert.ok(!text.includes(value), `${name} found in ${where}`);
      }
    }
    // The session token's HMAC is there instead (an auditor holding the token can find it).
    assert.match(haystacks.sink!, /"sessionToken":"hmac-sha256:[0-9a-f]{64}"/, haystacks.sink!.split("\n").map((l) => l && JSON.parse(l).eventName).join(","));
    assert.ok(existsSync(sinkFile));
  } finally {
    tmp.cleanup();
  }
});

test('Redactor: passwords and codes hidden, tokens HMACed (stable per key), names lowerCamelCase', () => {
  const r = new Redactor(randomBytes(32));
  const out = r.parameters({ UserName: 'u', Password: 'p1', NewPassword: 'p2', AuthenticationCode1: '123456', TokenCode: '654321', SerialNumber: 'arn:x', SAMLAssertion: 'abc', SessionToken: 't', Nested: { SecretAccessKey: 's' } })!;
  assert.deepEqual(Object.keys(out), ['userName', 'password', 'newPassword', 'authenticationCode1', 'tokenCode', 'serialNumber', 'samlAssertion', 'sessionToken', 'nested']);
  assert.equal(out.password, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  assert.equal(out.authenticationCode1, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  assert.equal(out.tokenCode, 'HIDDEN_DUE_TO_SECURITY_REASONS');
  assert.equal(out.serialNumber, 'arn:x');
  assert.equal(out.sessionToken, r.hmac('t'));
  assert.match(String(out.samlAssertion), /^hmac-sha256:/);
  assert.deepEqual(out.nested, { secretAccessKey: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
});
