/**
 * aws:SourceIp and aws:SecureTransport on the query API: the socket's peer, unless that peer is
 * a trusted proxy (`server.trustProxy`), in which case X-Forwarded-For is walked from the right
 * past trusted hops, and X-Forwarded-Proto says whether the client used TLS. A client that is
 * not a trusted proxy cannot choose its own address or claim TLS with those headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { call, xmlText } from '../support/signed.js';
import { allow, policy, userWithKey } from '../iam/helpers.js';

const OFFICE = '203.0.113.0/24';

/** May GetUser only from the office range; may ListUsers only over TLS. */
const CONDITIONED = policy(
  allow('iam:GetUser', '*', { Condition: { IpAddress: { 'aws:SourceIp': OFFICE } } }),
  allow('iam:ListUsers', '*', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }),
);

async function codeOf(gh: TestGatehouse, who: Credentials, action: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await call(gh.url, who, { Action: action }, { headers });
  return r.status === 200 ? 'OK' : (xmlText(r.body, 'Code') ?? `HTTP ${r.status}`);
}

describe('aws:SourceIp and aws:SecureTransport behind proxies', () => {
  const files = tempDir();
  let direct: TestGatehouse;
  let proxied: TestGatehouse;
  let directUser: Credentials;
  let proxiedUser: Credentials;

  before(async () => {
    direct = await startGatehouse();
    proxied = await startGatehouse({ configFile: files.write('proxied.yaml', 'server:\n  trustProxy: "127.0.0.1"\n') });
    directUser = await userWithKey(direct.iam(), 'office-only', { inline: CONDITIONED });
    proxiedUser = await userWithKey(proxied.iam(), 'office-only', { inline: CONDITIONED });
  });
  after(async () => {
    await Promise.all([direct?.close(), proxied?.close()]);
    files.cleanup();
  });

  it('without a trusted proxy, X-Forwarded-For and X-Forwarded-Proto are ignored', async () => {
    assert.equal(await codeOf(direct, directUser, 'GetUser'), 'AccessDenied');
    assert.equal(await codeOf(direct, directUser, 'GetUser', { 'x-forwarded-for': '203.0.113.7' }), 'AccessDenied');
    assert.equal(await codeOf(direct, directUser, 'ListUsers', { 'x-forwarded-proto': 'https' }), 'AccessDenied');
  });

  it('behind a trusted proxy, the client address is the nearest untrusted X-Forwarded-For hop', async () => {
    assert.equal(await codeOf(proxied, proxiedUser, 'GetUser'), 'AccessDenied'); // the proxy itself is not in the office
    assert.equal(await codeOf(proxied, proxiedUser, 'GetUser', { 'x-forwarded-for': '203.0.113.7' }), 'OK');
    // A client-supplied first hop does not count: the proxy appended the real peer after it.
    assert.equal(await codeOf(proxied, proxiedUser, 'GetUser', { 'x-forwarded-for': '203.0.113.7, 198.51.100.9' }), 'AccessDenied');
  });

  it('behind a trusted proxy, X-Forwarded-Proto https makes aws:SecureTransport true', async () => {
    assert.equal(await codeOf(proxied, proxiedUser, 'ListUsers'), 'AccessDenied');
    assert.equal(await codeOf(proxied, proxiedUser, 'ListUsers', { 'x-forwarded-proto': 'https' }), 'OK');
  });
});
