/**
 * The CloudTrail JSON 1.1 endpoint reads bodies with the same 1 MiB bound as the query API
 * (SECURITY F2): a larger body, declared or streamed, is refused with CloudTrail's own
 * SerializationException in JSON, with the request id and no-store, and the server stays up.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';

const TARGET = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** POSTs `size` bytes of JSON padding, with Content-Length or chunked. */
function post(url: string, size: number, declared: boolean): Promise<Answer> {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(`{"Pad":"${'a'.repeat(size)}"}`);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': TARGET };
    if (declared) headers['content-length'] = String(body.length);
    const req = httpRequest({ host: hostname, port, method: 'POST', path: '/', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

describe('CloudTrail endpoint: body size (F2)', () => {
  let gh: TestGatehouse;
  before(async () => (gh = await startGatehouse()));
  after(() => gh?.close());

  for (const declared of [true, false]) {
    it(`a body over 1 MiB ${declared ? 'with Content-Length' : 'streamed (chunked)'} is refused as SerializationException`, async () => {
      const r = await post(gh.url, 1024 * 1024 + 16, declared);
      assert.equal(r.status, 400);
      assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.ok(r.headers['x-amzn-requestid']);
      assert.deepEqual(JSON.parse(r.body), { __type: 'SerializationException', message: 'The request body is too large.' });
      assert.equal((await fetch(`${gh.url}/healthz`)).status, 200);
    });
  }

  it('a small unsigned body is read and then refused for its missing signature, not its size', async () => {
    const r = await post(gh.url, 16, true);
    assert.notEqual(r.status, 200);
    assert.doesNotMatch(r.body, /too large/);
  });
});
