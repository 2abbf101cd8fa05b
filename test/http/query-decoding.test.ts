/**
 * SECURITY.md H8: the signature fixes the value the action receives. The query string is
 * decoded exactly as SigV4 canonicalises it (percent-decoded once, `+` is a plus), so no wire
 * form that still verifies can hand the action another value.
 *
 * - Property: any parameter map, signed by @smithy/signature-v4 (presigned, or a GET signed
 *   in the Authorization header), then put on the wire in any encoding the canonicaliser
 *   treats as the same (each byte as a %XX escape in either hex case, or literally where a
 *   URL allows it — `+` included), verifies and is decoded by the server to the same map.
 * - End to end: a presigned `TagUser … Value=ci%2Bdeploy` replayed with `ci+deploy` stores
 *   exactly `ci+deploy` (what was signed), never `ci deploy`.
 * - The form-encoded POST body keeps application/x-www-form-urlencoded (`+` is a space):
 *   SigV4 signs its raw bytes, so `+` and `%2B` there are different signed requests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CreateAccessKeyCommand, CreateUserCommand, ListUserTagsCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { splitTarget } from '../../src/auth/sigv4-canonical.js';
import { readParams } from '../../src/http/query/params.js';
import { authenticate, presign, randomCredentials, sign } from '../auth/support/oracle.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { presignPath, send, signRequest, xmlText } from '../support/signed.js';

const T0 = Date.UTC(2026, 11, 7, 5, 0, 0);

/** Bytes a request target may carry literally and that the canonicaliser reads as themselves. */
const LITERAL_OK = /^[A-Za-z0-9\-._~+!$'()*,;:@/?]$/;

/** One byte on the wire: literally when allowed and chosen, else %XX in the chosen hex case. */
function wireByte(b: number, literal: boolean, lower: boolean): string {
  const c = String.fromCharCode(b);
  if (b < 0x80 && literal && LITERAL_OK.test(c)) return c;
  const hex = b.toString(16).padStart(2, '0');
  return `%${lower ? hex : hex.toUpperCase()}`;
}

/** Re-encodes a query string piece by piece with the choices in `coins` (cycled). */
function reencode(query: string, coins: readonly boolean[]): string {
  let i = 0;
  const coin = () => coins.length === 0 ? false : coins[i++ % coins.length]!;
  const part = (raw: string) => {
    const bytes = Buffer.from(decodeURIComponent(raw), 'utf8');
    let out = '';
    for (const b of bytes) out += wireByte(b, coin(), coin());
    return out;
  };
  return query.split('&').map((piece) => {
    const eq = piece.indexOf('=');
    return eq < 0 ? part(piece) : `${part(piece.slice(0, eq))}=${part(piece.slice(eq + 1))}`;
  }).join('&');
}

/** Names and values: any Unicode, and the characters that matter here (+, space, %, &, =). */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.stringMatching(/^[a-z0-9 +%&=]{0,10}$/),
);
// Not `__proto__`: the oracle, smithy's signer, builds its canonical query in a plain object, so
// it signs a request with that parameter wrongly (the server reads parameters into a Map; the
// parameter itself is checked below, without the oracle).
const paramName = text.filter((n) => n.length > 0 && !/^x-amz-/i.test(n) && n !== '__proto__');
const paramMap = fc.dictionary(paramName, text, { minKeys: 1, maxKeys: 5 });

describe('query-string decoding is the canonical decoding (H8)', () => {
  it('H8: any parameter map, signed and put on the wire in any equivalent encoding, decodes to the same map', async () => {
    await fc.assert(
      fc.asyncProperty(paramMap, fc.constantFrom('header' as const, 'query' as const), fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }), async (params, form, coins) => {
        const creds = randomCredentials();
        const spec = { method: 'GET', path: '/', query: params, region: 'us-east-1', service: 'iam', host: 'iam.example.test', signingDate: new Date(T0) };
        const signed = form === 'header' ? await sign(creds, spec) : await presign(creds, spec, 600);
        const { path, query } = splitTarget(signed.url);
        const wire = { ...signed, url: `${path}?${reencode(query, coins)}` };
        const outcome = authenticate(wire, [creds], T0);
        assert.ok(outcome.ok, `the re-encoded request still verifies: ${wire.url} (${outcome.ok ? '' : outcome.message})`);
        const decoded = readParams(splitTarget(wire.url).query, '');
        assert.deepEqual(Object.fromEntries(decoded), { ...params }, `decoded from ${wire.url}`);
      }),
      { numRuns: 400 },
    );
  });

  it('a parameter named __proto__ is a parameter like any other', () => {
    const decoded = readParams('%5F%5Fproto__=x&constructor=y&0=', '');
    assert.deepEqual([...decoded], [['__proto__', 'x'], ['constructor', 'y'], ['0', '']]);
  });

  it('H8: a query string that is not valid percent-encoded UTF-8 is refused (never read two ways)', () => {
    for (const bad of ['Action=GetUser&UserName=%E0%A4%A', 'Action=GetUser&UserName=%FF', 'Action=GetUser&UserName=a%zz']) {
      assert.throws(() => readParams(bad, ''), (e: Error & { code?: string }) => e.code === 'MalformedQueryString', bad);
    }
  });

  it('the form-encoded POST body still reads + as a space (application/x-www-form-urlencoded; its bytes are what is signed)', () => {
    assert.equal(readParams('', 'Action=TagUser&Value=ci+deploy').get('Value'), 'ci deploy');
    assert.equal(readParams('', 'Action=TagUser&Value=ci%2Bdeploy').get('Value'), 'ci+deploy');
    assert.equal(readParams('Value=ci+deploy', '').get('Value'), 'ci+deploy');
  });
});

describe('a presigned TagUser replayed with + for %2B (H8, against the server)', () => {
  let gh: TestGatehouse;
  let ops: Credentials;

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'ops' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ops', PolicyName: 'iam', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
    ops = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await iam.send(new CreateUserCommand({ UserName: 'tagged' }));
  });
  after(() => gh?.close());

  const host = () => new URL(gh.url).host;
  const tags = async () => (await gh.iam().send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags ?? [];

  it('H8: the replay stores exactly the signed value ci+deploy, never ci deploy', async () => {
    const path = await presignPath(gh.url, ops, { Action: 'TagUser', Version: '2010-05-08', UserName: 'tagged', 'Tags.member.1.Key': 'pipeline', 'Tags.member.1.Value': 'ci+deploy' });
    assert.match(path, /ci%2Bdeploy/, 'the signer escapes the plus');
    const replay = path.replace('ci%2Bdeploy', 'ci+deploy');
    const res = await send(gh.url, { method: 'GET', path: replay, headers: [['host', host()]] });
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(await tags(), [{ Key: 'pipeline', Value: 'ci+deploy' }]);
  });

  it('H8: a GET signed in the header, replayed with + for %2B, also stores the signed value', async () => {
    const req = await signRequest(gh.url, ops, { method: 'GET', query: { Action: 'TagUser', Version: '2010-05-08', UserName: 'tagged', 'Tags.member.1.Key': 'stage', 'Tags.member.1.Value': 'a+b' } });
    const res = await send(gh.url, { ...req, path: req.path.replace('a%2Bb', 'a+b') });
    assert.equal(res.status, 200, res.body);
    assert.ok((await tags()).some((t) => t.Key === 'stage' && t.Value === 'a+b'));
  });

  it('H8: a body signed with %2B and replayed with + no longer verifies (the body is signed byte for byte)', async () => {
    const req = await signRequest(gh.url, ops, { body: { Action: 'TagUser', Version: '2010-05-08', UserName: 'tagged', 'Tags.member.1.Key': 'body', 'Tags.member.1.Value': 'x+y' } });
    const body = String(req.body).replace('x%2By', 'x+y');
    const headers = req.headers.map(([k, v]) => [k, k.toLowerCase() === 'content-length' ? String(Buffer.byteLength(body)) : v] as [string, string]);
    const res = await send(gh.url, { ...req, headers, body });
    assert.equal(res.status, 403);
    assert.equal(xmlText(res.body, 'Code'), 'SignatureDoesNotMatch');
    assert.equal((await tags()).some((t) => t.Key === 'body'), false, 'nothing stored');
  });
});
