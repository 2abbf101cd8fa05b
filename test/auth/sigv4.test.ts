/**
 * SECURITY.md E1–E5 at the unit level, with @smithy/signature-v4 (the JS SDK's
 * signer) as the oracle and a random secret per test. The clock is frozen:
 * `now` is passed in. The any-byte mutation property is in sigv4-property.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SKEW_SECONDS, SIGNATURE_MISMATCH_MESSAGE, parseSigV4, verifySigV4 } from '../../src/auth/sigv4.js';
import type { IncomingSignedRequest } from '../../src/auth/sigv4.js';
import { addHeader, editAuthorization, header, removeHeader, setHeader, setQueryParam, withBody } from './support/edit.js';
import { authenticate, presign, randomCredentials, sign, type Outcome, type RequestSpec } from './support/oracle.js';

const T0 = Date.UTC(2026, 10, 28, 16, 0, 0); // 20261128T160000Z
const BODY = 'Action=ListUsers&Version=2010-05-08';
const S = 1000;

async function signed(spec: Partial<RequestSpec> = {}, creds = randomCredentials()) {
  const req = await sign(creds, { body: BODY, signingDate: new Date(T0), ...spec });
  return { creds, req, check: (r: IncomingSignedRequest = req, now = T0) => authenticate(r, [creds], now) };
}

async function presigned(spec: Partial<RequestSpec> = {}, expiresIn = 900, creds = randomCredentials()) {
  const req = await presign(creds, { method: 'GET', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    service: 'sts', signingDate: new Date(T0), ...spec }, expiresIn);
  return { creds, req, check: (r: IncomingSignedRequest = req, now = T0) => authenticate(r, [creds], now) };
}

function refused(outcome: Outcome, code: string, message?: string | RegExp): void {
  assert.equal(outcome.ok ? 'accepted' : outcome.code, code, outcome.ok ? '' : outcome.message);
  if (message !== undefined && !outcome.ok) {
    if (typeof message === 'string') assert.equal(outcome.message, message);
    else assert.match(outcome.message, message);
  }
}

describe('SigV4 verifier against the SDK signer (E1)', () => {
  it('accepts a header-signed IAM request and returns its scope', async () => {
    const { creds, check } = await signed();
    const outcome = check();
    assert.ok(outcome.ok);
    assert.equal(outcome.auth.accessKeyId, creds.accessKeyId);
    assert.deepEqual(outcome.auth.scope, { date: '20261128', region: 'us-east-1', service: 'iam', terminator: 'aws4_request' });
    assert.equal(outcome.auth.form, 'header');
  });
  it('accepts any region and each configured service', async () => {
    for (const [region, service] of [['eu-central-2', 'sts'], ['ap-southeast-7', 'iam'], ['local-1', 'sts']] as const) {
      assert.ok((await signed({ region, service })).check().ok, `${region}/${service}`);
    }
  });
  it('extracts the session token from the header and from a presigned URL', async () => {
    const header = await signed({}, randomCredentials(true));
    const headerOutcome = header.check();
    assert.ok(headerOutcome.ok);
    assert.equal(headerOutcome.auth.securityToken, header.creds.sessionToken);
    const query = await presigned({}, 900, randomCredentials(true));
    const queryOutcome = query.check();
    assert.ok(queryOutcome.ok);
    assert.equal(queryOutcome.auth.securityToken, query.creds.sessionToken);
  });
  it('accepts a percent-encoded path and awkward query values as the SDK encodes them', async () => {
    const { check } = await signed({ path: '/a%20b/c~d/%2Fe', query: { Name: 'a b+c/~*', Empty: '', Multi: ['2', '1'] } });
    assert.ok(check().ok);
  });
  it('refuses a key id it does not know, and a right key id with the wrong secret', async () => {
    const { req, creds } = await signed();
    refused(authenticate(req, [randomCredentials()], T0), 'InvalidClientTokenId');
    const other = { ...randomCredentials(), accessKeyId: creds.accessKeyId };
    assert.ok(authenticate(req, [creds], T0).ok); // warms the signing-key cache with the right secret
    refused(authenticate(req, [other], T0), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    assert.ok(authenticate(req, [creds], T0).ok); // and the right secret still verifies after the wrong one
  });
});

describe('clock and scope date (E2)', () => {
  it(`accepts exactly ±${DEFAULT_SKEW_SECONDS} s of skew and refuses ±${DEFAULT_SKEW_SECONDS + 1} s`, async () => {
    const { check } = await signed();
    assert.ok(check(undefined, T0 + 900 * S).ok);
    assert.ok(check(undefined, T0 - 900 * S).ok);
    refused(check(undefined, T0 + 901 * S), 'RequestExpired', /^Signature expired: 20261128T160000Z is now earlier than /);
    refused(check(undefined, T0 - 901 * S), 'RequestExpired', /^Signature not yet current: 20261128T160000Z is still later than /);
  });
  it("words RequestExpired as AWS does", async () => {
    const req = await sign(randomCredentials(), { body: BODY, signingDate: new Date(T0 - 3600 * S) });
    const parsed = parseSigV4(req, { services: ['iam'] });
    assert.ok(parsed.ok);
    const late = verifySigV4(req, parsed.auth, 'unused: the clock is checked first', T0);
    assert.ok(!late.ok);
    assert.equal(late.error.message, 'Signature expired: 20261128T150000Z is now earlier than 20261128T154500Z (20261128T160000Z - 15 min.)');
    const early = verifySigV4(req, parsed.auth, 'unused', T0 - 7200 * S);
    assert.ok(!early.ok);
    assert.equal(early.error.message, 'Signature not yet current: 20261128T150000Z is still later than 20261128T141500Z (20261128T140000Z + 15 min.)');
  });
  it('honours a configured skew', async () => {
    const { req, creds } = await signed();
    assert.ok(authenticate(req, [creds], T0 + 60 * S, { skewSeconds: 60 }).ok);
    refused(authenticate(req, [creds], T0 + 61 * S, { skewSeconds: 60 }), 'RequestExpired', /\(20261128T160101Z - 1 min\.\)$/);
  });
  it('refuses a scope date that differs from X-Amz-Date', async () => {
    const { req, check } = await signed();
    refused(check(editAuthorization(req, (v) => v.replace('/20261128/', '/20261127/'))), 'SignatureDoesNotMatch',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261127' != '20261128', from '20261128T160000Z'.");
    refused(check(setHeader(req, 'x-amz-date', '20261129T160000Z'), T0 + 86_400 * S), 'SignatureDoesNotMatch', /Date in Credential scope/);
  });
  it('refuses a malformed or impossible X-Amz-Date', async () => {
    const { req, check } = await signed();
    for (const bad of ['2026-11-28T16:00:00Z', '20261128T160000', '20261131T160000Z', '20261128T246000Z', '']) {
      refused(check(setHeader(req, 'x-amz-date', bad)), 'IncompleteSignature', /ISO8601 Long Format/);
    }
  });
  it('falls back to the Date header when X-Amz-Date is absent (header form)', async () => {
    const { req, creds } = await signed();
    const viaDate = removeHeader(setHeader(req, 'date', 'Sat, 28 Nov 2026 16:00:00 GMT'), 'x-amz-date');
    const parsed = parseSigV4(viaDate, { services: ['iam'] });
    assert.ok(parsed.ok);
    assert.equal(parsed.auth.amzDate, '20261128T160000Z');
    // x-amz-date was signed and is now absent, so the signature itself must fail.
    refused(authenticate(viaDate, [creds], T0), 'SignatureDoesNotMatch');
    refused(authenticate(removeHeader(req, 'x-amz-date'), [creds], T0), 'IncompleteSignature', /'X-Amz-Date' or a 'Date' header/);
  });
});

describe('tampering (E3)', () => {
  it('refuses one changed body byte, even with x-amz-content-sha256 signed', async () => {
    const { req, check } = await signed();
    const body = Buffer.from(req.body);
    body[3] = body[3]! ^ 1;
    refused(check(withBody(req, body)), 'SignatureDoesNotMatch', /x-amz-content-sha256/);
    refused(check(removeHeader(withBody(req, body), 'x-amz-content-sha256')), 'SignatureDoesNotMatch');
  });
  it('refuses a changed signed header, host, region or service', async () => {
    const { req, check } = await signed({ headers: { 'x-amz-meta': 'one' } });
    refused(check(setHeader(req, 'content-type', 'application/json')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(setHeader(req, 'x-amz-meta', 'onf')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(setHeader(req, 'host', 'sts.example.test')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(editAuthorization(req, (v) => v.replace('/us-east-1/', '/us-east-2/'))), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(editAuthorization(req, (v) => v.replace('/iam/', '/sts/'))), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(editAuthorization(req, (v) => v.replace('/iam/', '/s3/'))), 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'iam' or 'sts'.");
    refused(check(editAuthorization(req, (v) => v.replace('/us-east-1/', '/US_EAST/'))), 'SignatureDoesNotMatch', 'Credential should be scoped to a valid region.');
  });
  it('refuses host missing from SignedHeaders, and a signed header missing from the request', async () => {
    const { req, check } = await signed();
    refused(check(editAuthorization(req, (v) => v.replace('SignedHeaders=content-type;host;', 'SignedHeaders=content-type;'))),
      'SignatureDoesNotMatch', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    refused(check(removeHeader(req, 'content-type')), 'SignatureDoesNotMatch', "Signed header 'content-type' is missing from the request.");
  });
  it('refuses non-hex, short, long and upper-case signatures without throwing', async () => {
    const { req, check } = await signed();
    const sig = /Signature=([0-9a-f]+)/.exec(header(req, 'authorization'))![1]!;
    for (const bad of [`${sig.slice(0, 63)}g`, sig.slice(0, 63), `${sig}0`, sig.toUpperCase(), '', 'zz'.repeat(32)]) {
      const mutated = editAuthorization(req, (v) => v.replace(`Signature=${sig}`, `Signature=${bad}`));
      assert.doesNotThrow(() => refused(check(mutated), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE));
    }
  });
});

describe('refused shapes (E4)', () => {
  for (const mode of ['UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER']) {
    it(`refuses x-amz-content-sha256: ${mode}, even correctly signed`, async () => {
      const { check } = await signed({ headers: { 'x-amz-content-sha256': mode } });
      refused(check(), 'IncompleteSignature', /is not accepted: this service requires the SHA-256 of the payload/);
    });
  }
  it('refuses header and query auth together', async () => {
    const header = await signed();
    const query = await presigned({}, 900, header.creds);
    refused(header.check(setHeader(query.req, 'authorization', headerValue(header.req))), 'IncompleteSignature', /Only one auth mechanism allowed/);
    refused(header.check({ ...header.req, url: `${header.req.url}?X-Amz-Security-Token=abc` }), 'IncompleteSignature', /Only one auth mechanism/);
  });
  it('refuses a duplicated Authorization, X-Amz-Date or security token header', async () => {
    const { req, check } = await signed({}, randomCredentials(true));
    refused(check(addHeader(req, 'Authorization', headerValue(req))), 'IncompleteSignature', "The 'authorization' header must appear only once.");
    refused(check(addHeader(req, 'X-Amz-Date', header(req, 'x-amz-date'))), 'IncompleteSignature', /'x-amz-date' header must appear only once/);
    refused(check(addHeader(req, 'X-Amz-Security-Token', 'other')), 'IncompleteSignature', /'x-amz-security-token' header/);
  });
  it('refuses an X-Amz-Security-Token header that is not signed', async () => {
    const { req, check } = await signed();
    refused(check(addHeader(req, 'X-Amz-Security-Token', 'added-after-signing')), 'IncompleteSignature',
      "The 'x-amz-security-token' header must be a signed header.");
  });
  it('refuses a repeated X-Amz-* auth query parameter', async () => {
    const { req, check } = await presigned();
    for (const name of ['X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Algorithm']) {
      const value = new RegExp(`[?&]${name}=([^&]*)`).exec(req.url)![1]!;
      refused(check({ ...req, url: `${req.url}&${name}=${value}` }), 'IncompleteSignature', `The '${name}' query parameter must appear only once.`);
    }
  });
  it('answers MissingAuthenticationToken when there is no auth at all', async () => {
    const { req, check } = await signed();
    refused(check(removeHeader(req, 'authorization')), 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  });
  it('refuses malformed Authorization headers with AWS-like IncompleteSignature wording', async () => {
    const { req, check } = await signed();
    const cases: Array<[(v: string) => string, string | RegExp]> = [
      [(v) => v.replace(/, Signature=[0-9a-f]+/, ''), "Authorization header requires 'Signature' parameter."],
      [(v) => v.replace(/Credential=[^,]+, /, ''), "Authorization header requires 'Credential' parameter."],
      [(v) => v.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1'), "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'."],
      [() => 'Bearer abc.def/ghi', "Unsupported AWS 'algorithm': 'Bearer'."],
      [(v) => v.replace('/aws4_request', ''), /^Credential must have exactly 5 slash-delimited elements/],
      [(v) => v.replace('SignedHeaders=content-type;host', 'SignedHeaders=host;content-type'), /SignedHeaders must be lower-case/],
      [(v) => `${v}, Extra=1`, /parameters must be Credential, SignedHeaders and Signature/],
    ];
    for (const [edit, message] of cases) refused(check(editAuthorization(req, edit)), 'IncompleteSignature', message);
    refused(check(editAuthorization(req, (v) => v.replace('/aws4_request', '/aws5_request'))), 'SignatureDoesNotMatch', /valid terminator/);
  });
});

describe('presigned URLs', () => {
  it('accepts a valid one until X-Amz-Expires has elapsed, then answers RequestExpired', async () => {
    const { check } = await presigned({}, 300);
    assert.ok(check().ok);
    assert.ok(check(undefined, T0 + 300 * S).ok);
    refused(check(undefined, T0 + 301 * S), 'RequestExpired', 'Request has expired');
    assert.ok(check(undefined, T0 - 900 * S).ok);
    refused(check(undefined, T0 - 901 * S), 'RequestExpired', /Signature not yet current/);
  });
  it('refuses a tampered one', async () => {
    const { req, check } = await presigned();
    refused(check(setQueryParam(req, 'Action', 'GetSessionToken')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(setQueryParam(req, 'X-Amz-Expires', '901')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
    refused(check(setHeader(req, 'host', 'evil.example.test')), 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  });
  it('refuses X-Amz-Expires outside 1–604800 and missing parameters', async () => {
    const { req, check } = await presigned();
    for (const bad of ['0', '604801', '-1', '1e3', '']) {
      refused(check(setQueryParam(req, 'X-Amz-Expires', bad)), 'IncompleteSignature', /X-Amz-Expires must be a whole number/);
    }
    refused(check({ ...req, url: req.url.replace(/&X-Amz-Expires=\d+/, '') }), 'IncompleteSignature', /must include 'X-Amz-Algorithm'/);
  });
});

describe('parameter pollution at the signature level (E5)', () => {
  it('refuses a parameter appended after signing, and one moved from the body to the query', async () => {
    const { req, check } = await signed({ query: { Action: 'ListUsers' }, body: 'Version=2010-05-08' });
    refused(check({ ...req, url: `${req.url}&Action=DeleteUser` }), 'SignatureDoesNotMatch');
    const moved = await signed({ body: BODY });
    refused(moved.check({ ...moved.req, url: '/?Action=DeleteUser' }), 'SignatureDoesNotMatch');
  });
});

function headerValue(req: IncomingSignedRequest): string {
  return header(req, 'authorization');
}
