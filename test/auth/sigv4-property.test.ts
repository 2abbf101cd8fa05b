/**
 * SECURITY.md E3 as a property: for random requests signed by @smithy/signature-v4
 * (header form or presigned, with or without a session token, random secret per run),
 * replacing any one byte of the URL, of any header value (all of them are signed, and
 * Authorization carries the signature) or of the body by any other byte makes
 * authentication fail. The secret is looked up by key id, as the server does, so a
 * changed key id fails at lookup.
 *
 * One change is equivalent by the spec and excluded: the case of a hex digit inside a
 * %XX escape (RFC 3986 §2.1: %2F and %2f are the same octet). Generated paths and query
 * values use unreserved characters, so the only escapes are those the signer writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { IncomingSignedRequest } from '../../src/auth/sigv4.js';
import { withRawHeaders } from './support/raw-request.js';
import { authenticate, presign, randomCredentials, sign, type RequestSpec } from './support/oracle.js';

const T0 = Date.UTC(2026, 10, 28, 16, 0, 0);
const token = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);

const requestSpec = fc.record({
  form: fc.constantFrom('header' as const, 'query' as const),
  withToken: fc.boolean(),
  path: fc.constantFrom('/', '/x', '/a/b', '/a-b/c.d/'),
  query: fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,7}$/), token, { maxKeys: 4 }),
  headers: fc.dictionary(fc.stringMatching(/^x-gh-[a-z]{1,6}$/), token, { maxKeys: 3 }),
  body: fc.stringMatching(/^[A-Za-z0-9=&._~-]{0,48}$/),
  region: fc.constantFrom('us-east-1', 'eu-west-3', 'local-1'),
  service: fc.constantFrom('iam', 'sts'),
});

const mutation = fc.record({ slot: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });

type Slot = { where: string; apply: (replacement: number) => IncomingSignedRequest; original: number; context: string; at: number };

/** Every byte a mutation may hit: URL characters, header value characters, body bytes. */
function slots(req: IncomingSignedRequest): Slot[] {
  const out: Slot[] = [];
  const swap = (s: string, i: number, b: number) => s.slice(0, i) + String.fromCharCode(b) + s.slice(i + 1);
  for (let i = 0; i < req.url.length; i++) {
    out.push({ where: `url[${i}]`, original: req.url.charCodeAt(i), context: req.url, at: i,
      apply: (b) => ({ ...req, url: swap(req.url, i, b) }) });
  }
  for (let h = 1; h < req.rawHeaders.length; h += 2) {
    const value = req.rawHeaders[h]!;
    for (let i = 0; i < value.length; i++) {
      out.push({ where: `${req.rawHeaders[h - 1]}[${i}]`, original: value.charCodeAt(i), context: value, at: i,
        apply: (b) => {
          const raw = [...req.rawHeaders];
          raw[h] = swap(value, i, b);
          return withRawHeaders(req, raw);
        } });
    }
  }
  for (let i = 0; i < req.body.length; i++) {
    out.push({ where: `body[${i}]`, original: req.body[i]!, context: '', at: i,
      apply: (b) => {
        const body = Buffer.from(req.body);
        body[i] = b;
        return { ...req, body };
      } });
  }
  return out;
}

/** True when the change only flips the case of a hex digit of a %XX escape. */
function escapeCaseOnly(slot: Slot, replacement: number): boolean {
  const { context, at } = slot;
  const inEscape = context[at - 1] === '%' || context[at - 2] === '%';
  const a = String.fromCharCode(slot.original);
  const b = String.fromCharCode(replacement);
  return inEscape && /[0-9a-f]/i.test(a) && a !== b && a.toLowerCase() === b.toLowerCase();
}

describe('SigV4 any-byte mutation property (E3)', () => {
  it('fails after any one-byte change of a validly signed request', async () => {
    let mutated = 0;
    await fc.assert(
      fc.asyncProperty(requestSpec, mutation, async (spec, m) => {
        const creds = randomCredentials(spec.withToken);
        const base: RequestSpec = { method: 'POST', path: spec.path, query: spec.query, headers: spec.headers,
          body: spec.body, region: spec.region, service: spec.service, host: `${spec.service}.example.test`,
          signingDate: new Date(T0) };
        const req = spec.form === 'header' ? await sign(creds, base) : await presign(creds, base, 600);
        assert.ok(authenticate(req, [creds], T0).ok, 'the unmutated request verifies');
        const all = slots(req);
        const slot = all[m.slot % all.length]!;
        const replacement = m.byte === slot.original ? (m.byte + 1) % 256 : m.byte;
        fc.pre(!escapeCaseOnly(slot, replacement));
        mutated++;
        const outcome = authenticate(slot.apply(replacement), [creds], T0);
        assert.equal(outcome.ok, false, `${slot.where}: ${slot.original} → ${replacement} still verifies`);
      }),
      { numRuns: 1000 },
    );
    assert.ok(mutated >= 950, `only ${mutated} mutations were tried`);
  });
});
