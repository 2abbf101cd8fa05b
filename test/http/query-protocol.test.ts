/**
 * The AWS query protocol on the wire, with raw HTTP signed by @smithy/signature-v4:
 * request ids, AWS's XML error envelope, GET and presigned GET, refusals before
 * anything is done (E5: repeated parameters, a parameter in both query and body),
 * body size (F2), unknown actions and parameters, and no mass assignment (D6).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, ListUsersCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, formEncode, presignPath, send, signRequest, xmlAll, xmlText, type RawResponse } from '../support/signed.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Asserts AWS's error envelope and returns its code; the header and body request ids agree. */
function assertError(res: RawResponse, status: number, code: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  assert.equal(res.status, status, res.body);
  const id = res.headers['x-amzn-requestid'];
  assert.match(String(id), UUID);
  assert.match(String(res.headers['content-type']), /^text\/xml/);
  const pattern = new RegExp(
    `^<\\?xml version="1\\.0" encoding="UTF-8"\\?>\\s*<ErrorResponse xmlns="${NS.replace(/[./]/g, '\\$&')}"><Error><Type>${type}</Type><Code>${code}</Code><Message>[^<]*</Message></Error><RequestId>${id}</RequestId></ErrorResponse>$`,
  );
  assert.match(res.body, pattern);
  return xmlText(res.body, 'Message')!;
}

function assertOk(res: RawResponse, action: string): void {
  assert.equal(res.status, 200, res.body);
  const id = String(res.headers['x-amzn-requestid']);
  assert.match(id, UUID);
  assert.ok(res.body.includes(`<${action}Response xmlns="${NS}">`), res.body);
  assert.equal(xmlText(res.body, 'RequestId'), id);
}

describe('query protocol', () => {
  let gh: TestGatehouse;
  let admin: Credentials;
  const userNames = async () => ((await gh.iam().send(new ListUsersCommand({}))).Users ?? []).map((u) => u.UserName);

  before(async () => {
    gh = await startGatehouse();
    // A key the test creates (not the bootstrap root key) signs most requests.
    await gh.iam().send(new CreateUserCommand({ UserName: 'admin' }));
    await gh.iam().send(new PutUserPolicyCommand({ UserName: 'admin', PolicyName: 'all', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'admin' }));
    admin = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    for (const UserName of ['victim', 'bystander']) await gh.iam().send(new CreateUserCommand({ UserName }));
  });
  after(() => gh?.close());

  it('a signed POST succeeds with a request id in the header and the body', async () => {
    const res = await call(gh.url, admin, { Action: 'GetUser', UserName: 'victim' });
    assertOk(res, 'GetUser');
    assert.equal(xmlText(res.body, 'UserName'), 'victim');
    assert.equal(res.headers['cache-control'], 'no-store');
    const other = await call(gh.url, admin, { Action: 'GetUser', UserName: 'victim' });
    assert.notEqual(other.headers['x-amzn-requestid'], res.headers['x-amzn-requestid'], 'a new id per request');
  });

  it('errors use AWS’s XML envelope with the request id, for every kind of refusal', async () => {
    assert.equal(assertError(await call(gh.url, admin, { Action: 'GetUser', UserName: 'nobody' }), 404, 'NoSuchEntity'), 'The user with name nobody cannot be found.');
    const validation = assertError(await call(gh.url, admin, { Action: 'GetUser', UserName: 'bad name!' }), 400, 'ValidationError');
    assert.match(validation, /^1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: /);
    assertError(await call(gh.url, admin, { Action: 'CreateUser' }), 400, 'ValidationError');
    assertError(await call(gh.url, admin, { Action: 'NoSuchAction' }), 400, 'InvalidAction');
    assertError(await call(gh.url, admin, {}), 400, 'InvalidAction');
    assertError(await call(gh.url, admin, { Action: 'GetUser', UserName: 'x' }, { body: 'Action=GetUser&UserName=%E0%A4%A' }), 400, 'MalformedQueryString');
  });

  it('an unsigned request is MissingAuthenticationToken (403), by POST and by GET', async () => {
    const body = formEncode({ Action: 'ListUsers', Version: '2010-05-08' });
    const post = await send(gh.url, { method: 'POST', path: '/', headers: [['host', new URL(gh.url).host], ['content-type', 'application/x-www-form-urlencoded'], ['content-length', String(body.length)]], body });
    assert.match(assertError(post, 403, 'MissingAuthenticationToken'), /missing Authentication Token/);
    const get = await send(gh.url, { method: 'GET', path: `/?${body}`, headers: [['host', new URL(gh.url).host]] });
    assertError(get, 403, 'MissingAuthenticationToken');
  });

  it('GET /?Action=ListUsers&Version=2010-05-08: presigned, and header-signed', async () => {
    const path = await presignPath(gh.url, admin, { Action: 'ListUsers', Version: '2010-05-08' });
    assert.match(path, /X-Amz-Signature=[0-9a-f]{64}/);
    const res = await send(gh.url, { method: 'GET', path, headers: [['host', new URL(gh.url).host]] });
    assertOk(res, 'ListUsers');
    assert.ok(xmlAll(res.body, 'UserName').includes('victim'));

    const signed = await signRequest(gh.url, admin, { method: 'GET', query: { Action: 'GetUser', Version: '2010-05-08', UserName: 'bystander' } });
    const byHeader = await send(gh.url, signed);
    assertOk(byHeader, 'GetUser');
    assert.equal(xmlText(byHeader.body, 'UserName'), 'bystander');

    // A presigned URL is tied to its parameters.
    const tampered = path.replace('Action=ListUsers', 'Action=ListRoles');
    assertError(await send(gh.url, { method: 'GET', path: tampered, headers: [['host', new URL(gh.url).host]] }), 403, 'SignatureDoesNotMatch');
  });

  it('E5: a repeated parameter is refused (400) and nothing is done', async () => {
    const repeated = [
      [['Action', 'ListUsers'], ['Action', 'DeleteUser'], ['UserName', 'victim']],
      [['Action', 'DeleteUser'], ['UserName', 'victim'], ['UserName', 'bystander']],
      [['Action', 'DeleteUser'], ['Action', 'DeleteUser'], ['UserName', 'victim']],
    ] as Array<Array<[string, string]>>;
    for (const pairs of repeated) {
      const res = await send(gh.url, await signRequest(gh.url, admin, { body: [['Version', '2010-05-08'], ...pairs] }));
      assert.equal(res.status, 400, `${formEncode(pairs)} → ${res.body}`);
      assert.equal(xmlText(res.body, 'Type'), 'Sender');
      assert.match(String(res.headers['x-amzn-requestid']), UUID);
    }
    // The same name in the query string and in the body.
    for (const [query, body] of [
      [{ UserName: 'bystander' }, { Action: 'DeleteUser', UserName: 'victim', Version: '2010-05-08' }],
      [{ Action: 'ListUsers' }, { Action: 'DeleteUser', UserName: 'victim', Version: '2010-05-08' }],
      [{ Version: '2010-05-08' }, { Action: 'DeleteUser', UserName: 'victim', Version: '2011-06-15' }],
    ] as Array<[Record<string, string>, Record<string, string>]>) {
      const res = await send(gh.url, await signRequest(gh.url, admin, { query, body }));
      assert.equal(res.status, 400, res.body);
    }
    // A repeated GET parameter.
    const signed = await signRequest(gh.url, admin, { method: 'GET', query: { Action: 'DeleteUser', Version: '2010-05-08', UserName: 'victim' } });
    const res = await send(gh.url, { ...signed, path: `${signed.path}&UserName=bystander` });
    assert.equal(res.status, 400, res.body);
    assert.deepEqual((await userNames()).filter((n) => n === 'victim' || n === 'bystander').sort(), ['bystander', 'victim'], 'nobody was deleted');
  });

  it('extra parameters are ignored and cannot set fields (no mass assignment)', async () => {
    const fakeId = 'AIDAFAKEFAKEFAKEFAKE';
    const fakeArn = `arn:aws:iam::${gh.accountId}:user/admin`;
    const res = await call(gh.url, admin, {
      Action: 'CreateUser',
      UserName: 'mallory',
      UserId: fakeId,
      Arn: fakeArn,
      CreateDate: '2000-01-01T00:00:00Z',
      'User.UserId': fakeId,
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      AccountId: '000000000000',
      Unknown: 'ignored',
    });
    assertOk(res, 'CreateUser');
    const { User } = await gh.iam().send(new GetUserCommand({ UserName: 'mallory' }));
    assert.notEqual(User?.UserId, fakeId);
    assert.match(User?.UserId ?? '', /^AIDA[A-Z2-7]{17}$/);
    assert.equal(User?.Arn, `arn:aws:iam::${gh.accountId}:user/mallory`);
    assert.ok((User?.CreateDate?.getFullYear() ?? 0) >= 2025);
    assert.equal(User?.PermissionsBoundary, undefined);
    assertOk(await call(gh.url, admin, { Action: 'ListUsers', Foo: 'bar', 'Marker.member.1': 'x' }), 'ListUsers');
  });

  it('F2: a body over 1 MiB is 413 and the server stays up', async () => {
    const host = new URL(gh.url).host;
    const big = `Action=ListUsers&Version=2010-05-08&Pad=${'a'.repeat(1024 * 1024 + 16)}`;
    const declared = await send(gh.url, { method: 'POST', path: '/', headers: [['host', host], ['content-type', 'application/x-www-form-urlencoded'], ['content-length', String(big.length)]], body: big });
    assertError(declared, 413, 'RequestEntityTooLarge');

    // Chunked, with no Content-Length: cut while streaming.
    const chunked = await new Promise<RawResponse>((resolve, reject) => {
      const { hostname, port } = new URL(gh.url);
      const req = httpRequest({ host: hostname, port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      const piece = 'a'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 2 * 1024 * 1024) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assertError(chunked, 413, 'RequestEntityTooLarge');

    assertOk(await call(gh.url, admin, { Action: 'ListUsers' }), 'ListUsers');
    assert.equal((await fetch(`${gh.url}/healthz`)).status, 200);
    // Just under the limit is read (and then refused for its own reasons, not its size).
    const near = await call(gh.url, admin, { Action: 'ListUsers', Pad: 'a'.repeat(1024 * 1024 - 200) });
    assert.equal(near.status, 200, near.body.slice(0, 300));
  });

  it('the SDK and the CLI speak it unchanged', async () => {
    assert.ok((await userNames()).includes('victim'));
    const cli = await gh.cli(['iam', 'get-user', '--user-name', 'victim'], admin);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.json.User.UserName, 'victim');
    const missing = await gh.cli(['iam', 'get-user', '--user-name', 'nobody'], admin);
    assert.equal(missing.status, 254);
    assert.match(missing.stderr, /An error occurred \(NoSuchEntity\) when calling the GetUser operation( \(reached max retries: 0\))?: The user with name nobody cannot be found\./);
  });
});
