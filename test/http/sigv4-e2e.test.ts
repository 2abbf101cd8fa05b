/**
 * SigV4 against the running server (E2–E4) with keys the test creates, signed by
 * @smithy/signature-v4 and then bent: one byte of the body, a signed header, host,
 * region, service, scope date; clock skew at ±900/±901 s on a frozen clock;
 * STREAMING and UNSIGNED payloads; two auth mechanisms at once. Also the server's
 * logs through a whole flow (G1) and a forced internal error (G3).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { FixedClock } from '../../src/shared/clock.js';
import { captureLogger } from '../support/app.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, presignPath, randomSecret, send, signRequest, unknownKeyId, xmlText, type RawRequest, type RawResponse } from '../support/signed.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function codeOf(res: RawResponse): string | undefined {
  assert.match(String(res.headers['x-amzn-requestid']), UUID);
  return xmlText(res.body, 'Code');
}
const header = (req: RawRequest, name: string) => req.headers.find(([k]) => k.toLowerCase() === name)?.[1];
const withHeader = (req: RawRequest, name: string, value: string): RawRequest => ({
  ...req,
  headers: req.headers.map(([k, v]) => [k, k.toLowerCase() === name ? value : v] as [string, string]),
});

describe('SigV4 end to end', () => {
  const log = captureLogger();
  let gh: TestGatehouse;
  let ops: Credentials;
  /** Every signature the test sent; none may reach a log line. */
  const signatures = new Set<string>();
  const sendSigned = async (req: RawRequest) => {
    const sig = /Signature=([0-9a-f]{64})/.exec(header(req, 'authorization') ?? req.path)?.[1];
    if (sig) signatures.add(sig);
    return send(gh.url, req);
  };

  before(async () => {
    gh = await startGatehouse({ logger: log.logger });
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'ops' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ops', PolicyName: 'iam', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
    ops = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await iam.send(new CreateUserCommand({ UserName: 'keep-me' }));
  });
  after(() => gh?.close());

  it('E1: the SDK and the CLI sign requests the server accepts; a wrong secret or unknown key is refused', async () => {
    assert.equal((await gh.iam(ops).send(new GetUserCommand({}))).User?.UserName, 'ops');
    const cli = await gh.cli(['iam', 'get-user'], ops);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.json.User.UserName, 'ops');
    const wrong = { ...ops, secretAccessKey: `${ops.secretAccessKey.slice(0, -1)}${ops.secretAccessKey.endsWith('A') ? 'B' : 'A'}` };
    const bad = await gh.cli(['iam', 'get-user'], wrong);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /SignatureDoesNotMatch/);
    assert.equal(codeOf(await sendSigned(await signRequest(gh.url, wrong, { body: { Action: 'GetUser', Version: '2010-05-08' } }))), 'SignatureDoesNotMatch');
    const unknown = { accessKeyId: unknownKeyId(), secretAccessKey: ops.secretAccessKey };
    const res = await sendSigned(await signRequest(gh.url, unknown, { body: { Action: 'GetUser', Version: '2010-05-08' } }));
    assert.equal(res.status, 403);
    assert.equal(codeOf(res), 'InvalidClientTokenId');
  });

  it('E3: one byte of the body changed is SignatureDoesNotMatch (403), with or without x-amz-content-sha256; nothing is done', async () => {
    for (const applyChecksum of [true, false]) {
      const signed = await signRequest(gh.url, ops, { body: { Action: 'DeleteUser', UserName: 'keep-mf', Version: '2010-05-08' }, applyChecksum });
      assert.equal(header(signed, 'x-amz-content-sha256') !== undefined, applyChecksum);
      const body = String(signed.body).replace('keep-mf', 'keep-me');
      assert.equal(body.length, String(signed.body).length);
      const res = await sendSigned({ ...signed, body });
      assert.equal(res.status, 403, res.body);
      assert.equal(codeOf(res), 'SignatureDoesNotMatch');
    }
    assert.equal((await gh.iam().send(new GetUserCommand({ UserName: 'keep-me' }))).User?.UserName, 'keep-me');
  });

  it('E3: a changed signed header, host, region, service or scope date is refused', async () => {
    const params = { body: { Action: 'ListUsers', Version: '2010-05-08' } };
    const signed = await signRequest(gh.url, ops, params);
    assert.equal((await sendSigned(signed)).status, 200, 'unaltered, it is accepted');

    const contentType = await sendSigned(withHeader(signed, 'content-type', 'application/x-www-form-urlencoded; charset=latin1'));
    assert.equal(codeOf(contentType), 'SignatureDoesNotMatch');
    const host = await sendSigned(withHeader(signed, 'host', `localhost:${new URL(gh.url).port}`));
    assert.equal(codeOf(host), 'SignatureDoesNotMatch');
    const auth = header(signed, 'authorization')!;
    const region = await sendSigned(withHeader(signed, 'authorization', auth.replace('/us-east-1/', '/us-west-2/')));
    assert.equal(codeOf(region), 'SignatureDoesNotMatch');
    const service = await sendSigned(await signRequest(gh.url, ops, { ...params, service: 's3' }));
    assert.equal(codeOf(service), 'SignatureDoesNotMatch');
    const date = /Credential=[^/]+\/(\d{8})\//.exec(auth)![1]!;
    const otherDay = String(Number(date) - 1);
    const scope = await sendSigned(withHeader(signed, 'authorization', auth.replace(`/${date}/`, `/${otherDay}/`)));
    assert.equal(codeOf(scope), 'SignatureDoesNotMatch');
    // Host left out of SignedHeaders.
    const noHost = await sendSigned(withHeader(signed, 'authorization', auth.replace(/SignedHeaders=([^,]*)/, (_, list: string) => `SignedHeaders=${list.split(';').filter((h) => h !== 'host').join(';')}`)));
    assert.equal(noHost.status, 403);
    assert.equal(codeOf(noHost), 'SignatureDoesNotMatch');
    // A signature one hex digit off.
    const sig = /Signature=([0-9a-f]{64})/.exec(auth)![1]!;
    const flipped = await sendSigned(withHeader(signed, 'authorization', auth.replace(sig, `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`)));
    assert.equal(codeOf(flipped), 'SignatureDoesNotMatch');
  });

  it('a long-term key sent with a session token is InvalidClientTokenId', async () => {
    const withToken = await sendSigned(await signRequest(gh.url, ops, { body: { Action: 'GetUser', Version: '2010-05-08' }, headers: { 'x-amz-security-token': randomSecret() } }));
    assert.equal(withToken.status, 403, withToken.body);
    assert.equal(codeOf(withToken), 'InvalidClientTokenId');
    const asParam = await sendSigned(await signRequest(gh.url, ops, { body: { Action: 'GetUser', Version: '2010-05-08', SecurityToken: randomSecret() } }));
    assert.equal(codeOf(asParam), 'InvalidClientTokenId');
    const sdk = await gh.iam({ ...ops, sessionToken: randomSecret() }).send(new GetUserCommand({})).then(() => 'accepted', (e: Error) => e.name);
    assert.equal(sdk, 'InvalidClientTokenId');
  });

  it('E4: STREAMING-AWS4-HMAC-SHA256-PAYLOAD and UNSIGNED-PAYLOAD are refused', async () => {
    for (const mode of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
      const signed = await signRequest(gh.url, ops, { body: { Action: 'DeleteUser', UserName: 'keep-me', Version: '2010-05-08' }, headers: { 'x-amz-content-sha256': mode } });
      assert.equal(header(signed, 'x-amz-content-sha256'), mode);
      const res = await sendSigned(signed);
      assert.equal(res.status, 400, `${mode}: ${res.body}`);
      assert.equal(codeOf(res), 'IncompleteSignature');
    }
    assert.equal((await gh.iam().send(new GetUserCommand({ UserName: 'keep-me' }))).User?.UserName, 'keep-me');
  });

  it('E4: header and query auth together, or a repeated Authorization header, are refused', async () => {
    const presigned = await presignPath(gh.url, ops, { Action: 'ListUsers', Version: '2010-05-08' });
    const headerSigned = await signRequest(gh.url, ops, { method: 'GET', query: { Action: 'ListUsers', Version: '2010-05-08' } });
    const both = await sendSigned({ ...headerSigned, path: presigned });
    assert.equal(both.status, 400, both.body);
    assert.equal(codeOf(both), 'IncompleteSignature');
    const auth = header(headerSigned, 'authorization')!;
    const twice = await sendSigned({ ...headerSigned, headers: [...headerSigned.headers, ['authorization', auth]] });
    assert.equal(twice.status, 400);
    assert.equal(codeOf(twice), 'IncompleteSignature');
    assert.equal((await sendSigned(headerSigned)).status, 200, 'each alone is fine');
    assert.equal((await sendSigned({ method: 'GET', path: presigned, headers: [['host', new URL(gh.url).host]] })).status, 200);
  });

  it('E2: a presigned URL past X-Amz-Expires is RequestExpired', async () => {
    const old = await presignPath(gh.url, ops, { Action: 'ListUsers', Version: '2010-05-08' }, { expiresIn: 60, signingDate: new Date(Date.now() - 61_000) });
    const res = await sendSigned({ method: 'GET', path: old, headers: [['host', new URL(gh.url).host]] });
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'RequestExpired');
  });

  it('G1: no secret, password or signature in any log line through a whole flow', async () => {
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'canary' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'canary' }));
    const canary = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const password = `Canary-Pw-${Date.now()}-Zq9!`;
    const newPassword = `Canary-New-${Date.now()}-Xy8!`;
    await iam.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true, MinimumPasswordLength: 8 }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'canary', Password: password }));
    await gh.iam(canary).send(new ChangePasswordCommand({ OldPassword: password, NewPassword: newPassword }));
    await gh.iam(canary).send(new ChangePasswordCommand({ OldPassword: password, NewPassword: 'short' })).catch(() => undefined);
    await gh.iam(canary).send(new ListUsersCommand({})).catch(() => undefined);
    await sendSigned(await signRequest(gh.url, canary, { body: { Action: 'GetUser', Version: '2010-05-08' } }));
    const tampered = await signRequest(gh.url, canary, { body: { Action: 'GetUser', Version: '2010-05-08' } });
    await sendSigned({ ...tampered, body: String(tampered.body).replace('GetUser', 'GetUsex') });
    await sendSigned({ method: 'GET', path: await presignPath(gh.url, canary, { Action: 'ListUsers', Version: '2010-05-08' }), headers: [['host', new URL(gh.url).host]] });
    await call(gh.url, canary, { Action: 'CreateLoginProfile', UserName: 'canary', Password: password });
    await gh.cli(['iam', 'change-password', '--old-password', newPassword, '--new-password', password], canary);

    assert.ok(log.lines.length > 0, 'the server logged');
    assert.ok(log.lines.some((l) => l.includes('query API refusal')), 'refusals are logged (at debug)');
    const canaries = [canary.secretAccessKey, ops.secretAccessKey, gh.root.secretAccessKey, password, newPassword, ...signatures];
    assert.ok(signatures.size >= 10, `signatures collected: ${signatures.size}`);
    for (const line of log.lines) {
      for (const secret of canaries) assert.ok(!line.includes(secret), `a secret leaked into: ${line.slice(0, 200)}`);
      assert.doesNotMatch(line, /AWS4-HMAC-SHA256 Credential=|X-Amz-Signature=|\$argon2/);
    }
  });

  it('G3: a forced internal error is a generic 500 with a request id and no stack; the log has the cause', async () => {
    // A key whose stored ciphertext cannot be decrypted: authentication fails inside the server.
    const id = unknownKeyId();
    await gh.server.store.accessKeys.create({
      id,
      accountId: gh.accountId,
      userId: null,
      secretCiphertext: 'v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA==.AAAA',
      status: 'Active',
      createdAt: Date.now(),
      lastUsedAt: null,
      lastUsedService: null,
      lastUsedRegion: null,
    });
    const before = log.lines.length;
    const res = await sendSigned(await signRequest(gh.url, { accessKeyId: id, secretAccessKey: randomSecret() }, { body: { Action: 'ListUsers', Version: '2010-05-08' } }));
    assert.equal(res.status, 500);
    const requestId = String(res.headers['x-amzn-requestid']);
    assert.match(requestId, UUID);
    assert.equal(xmlText(res.body, 'Type'), 'Receiver');
    assert.equal(xmlText(res.body, 'RequestId'), requestId);
    assert.equal(xmlText(res.body, 'Message'), 'We encountered an internal error. Please try again.');
    assert.doesNotMatch(res.body, /\bat [\w.<>]+ \(|\.ts:\d+|node:internal|keyring|decrypt|Error:|SQLITE|\/work\//);
    const logged = log.lines.slice(before).find((l) => l.includes(requestId));
    assert.ok(logged, 'the failure is logged with its request id');
    assert.match(logged, /"level":50/);
    assert.match(logged, /"err":/);
    // The server carries on.
    assert.equal((await gh.iam(ops).send(new GetUserCommand({}))).User?.UserName, 'ops');
  });
});

describe('SigV4 clock skew (frozen clock)', () => {
  const t0 = Math.floor(Date.now() / 1000) * 1000;
  const clock = new FixedClock(t0);
  let gh: TestGatehouse;
  let key: Credentials;

  before(async () => {
    gh = await startGatehouse({ clock });
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({}));
    key = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(() => gh?.close());

  const at = async (offsetSeconds: number) => {
    const req = await signRequest(gh.url, key, { body: { Action: 'ListUsers', Version: '2010-05-08' }, signingDate: new Date(t0 + offsetSeconds * 1000) });
    return send(gh.url, req);
  };

  it('E2: ±900 s from the server clock is accepted; ±901 s is RequestExpired', async () => {
    for (const offset of [-900, -1, 0, 1, 900]) assert.equal((await at(offset)).status, 200, `${offset} s`);
    const late = await at(-901);
    assert.equal(late.status, 400);
    assert.equal(codeOf(late), 'RequestExpired');
    assert.match(xmlText(late.body, 'Message')!, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const early = await at(901);
    assert.equal(codeOf(early), 'RequestExpired');
    assert.match(xmlText(early.body, 'Message')!, /^Signature not yet current: /);
  });

  it('E2: a presigned URL dated more than 15 minutes ahead is refused', async () => {
    const ahead = await presignPath(gh.url, key, { Action: 'ListUsers', Version: '2010-05-08' }, { signingDate: new Date(t0 + 901_000) });
    const res = await send(gh.url, { method: 'GET', path: ahead, headers: [['host', new URL(gh.url).host]] });
    assert.equal(codeOf(res), 'RequestExpired');
    const fine = await presignPath(gh.url, key, { Action: 'ListUsers', Version: '2010-05-08' }, { signingDate: new Date(t0 - 200_000), expiresIn: 300 });
    assert.equal((await send(gh.url, { method: 'GET', path: fine, headers: [['host', new URL(gh.url).host]] })).status, 200);
  });
});
