/**
 * Faults without slapd (SECURITY.md A1, A7, F1): refusals that never reach the directory, a
 * directory that is down, one that accepts TCP and never answers, an untrusted certificate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { LdapConnector, type DirectorySettings, type LoginResult } from '../../src/directory/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { captureLogger } from '../support/app.js';
import { freePort, selfSignedCert } from '../support/slapd.js';

const INVALID: LoginResult = { ok: false, reason: 'invalid-credentials' };

function settings(url: string, timeoutMs = 300): DirectorySettings {
  return {
    url,
    bindDN: 'cn=gatehouse,ou=services,dc=example,dc=com',
    bindCredentials: 'service-password-for-tests',
    searchBase: 'dc=example,dc=com',
    searchFilter: '(uid={{username}})',
    groupSearchBase: 'ou=groups,dc=example,dc=com',
    groupSearchFilter: '(member={{dn}})',
    timeoutMs,
  };
}

/** A TCP listener that records connections and never answers. */
async function silentServer(): Promise<{ url: string; connections: () => number; open: () => Promise<number>; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.resume(); // read and discard, so a client's FIN is seen
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ldap://127.0.0.1:${port}`,
    connections: () => count,
    open: () => new Promise((resolve) => server.getConnections((_, n) => resolve(n))),
    close: () => new Promise((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('refusals before any bind (A1, A3)', () => {
  let listener: Awaited<ReturnType<typeof silentServer>>;
  before(async () => (listener = await silentServer()));
  after(() => listener.close());

  it('answers invalid-credentials without opening a connection', async () => {
    const { logger, lines } = captureLogger();
    const connector = new LdapConnector(settings(listener.url), logger);
    const attempts: Array<[unknown, unknown]> = [
      ['alice', ''],
      ['alice', undefined],
      ['alice', ' '],
      ['alice', ['secret']],
      ['alice', { x: 1 }],
      [['alice'], 'secret'],
      ['', 'secret'],
      ['  ', 'secret'],
      ['*', 'secret'],
      ['*)(uid=*', 'secret'],
      ['a)(|(objectClass=*)', 'secret'],
      ['\\00', 'secret'],
      ['ali*', 'secret'],
      ['nul\0byte', 'secret'],
    ];
    for (const [u, p] of attempts) assert.deepEqual(await connector.login(u, p), INVALID, JSON.stringify([u, p]));
    await sleep(100);
    assert.equal(listener.connections(), 0, 'no connection reached the directory');
    assert.equal(lines.length, attempts.length);
    assert.ok(lines.every((l) => l.includes('"outcome":"refused"') && !l.includes('secret')));
  });

  it('does connect for well-formed input (the control for the test above)', async () => {
    const connector = new LdapConnector(settings(listener.url, 200), silentLogger);
    const result = await connector.login('alice', 'secret');
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.ok(listener.connections() > 0);
  });
});

describe('a silent directory (accepts TCP, never answers) (F1)', () => {
  let listener: Awaited<ReturnType<typeof silentServer>>;
  before(async () => (listener = await silentServer()));
  after(() => listener.close());

  it('is unavailable within timeoutMs, and the sockets are closed afterwards', async () => {
    const { logger, lines } = captureLogger();
    const connector = new LdapConnector(settings(listener.url, 300), logger);
    const started = Date.now();
    const result = await connector.login('alice', 'a-password-canary');
    const elapsed = Date.now() - started;
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.ok(!result.ok && result.reason === 'unavailable' && result.error.name === 'DirectoryUnavailable');
    assert.ok(elapsed >= 280 && elapsed < 300 + 250, `answered in ${elapsed} ms`);
    assert.ok(lines.some((l) => l.includes('"outcome":"unavailable"') && l.includes('no answer within 300 ms')));
    assert.ok(!lines.some((l) => l.includes('a-password-canary')));
    await sleep(100);
    assert.equal(await listener.open(), 0, 'no socket left open');
  });

  it('answers 10 concurrent logins within the deadline', async () => {
    const connector = new LdapConnector(settings(listener.url, 300), silentLogger);
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, () => connector.login('alice', 'pw')));
    assert.ok(results.every((r) => !r.ok && r.reason === 'unavailable'));
    assert.ok(Date.now() - started < 300 + 250);
    await sleep(100);
    assert.equal(await listener.open(), 0, 'no socket left open');
  });

  it('currentGroups (the re-check before a mint) throws DirectoryUnavailable within the deadline, sockets closed', async () => {
    const connector = new LdapConnector(settings(listener.url, 300), silentLogger);
    const started = Date.now();
    await assert.rejects(connector.currentGroups('alice'), { name: 'DirectoryUnavailable' });
    assert.ok(Date.now() - started < 300 + 250);
    await sleep(100);
    assert.equal(await listener.open(), 0, 'no socket left open');
  });

  it('ping is false within the deadline', async () => {
    const connector = new LdapConnector(settings(listener.url, 300), silentLogger);
    const started = Date.now();
    assert.equal(await connector.ping(), false);
    assert.ok(Date.now() - started < 300 + 250);
    await sleep(100);
    assert.equal(await listener.open(), 0);
  });
});

describe('a directory that is down (F1)', () => {
  it('is unavailable at once (connection refused), and ping is false', async () => {
    const connector = new LdapConnector(settings(`ldap://127.0.0.1:${await freePort()}`, 2000), silentLogger);
    const started = Date.now();
    const result = await connector.login('alice', 'pw');
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.ok(Date.now() - started < 1000, 'did not wait for the deadline');
    assert.equal(await connector.ping(), false);
  });

  it('a closed connector answers unavailable and close() waits for logins in flight', async () => {
    const listener = await silentServer();
    try {
      const connector = new LdapConnector(settings(listener.url, 200), silentLogger);
      const inFlight = connector.login('alice', 'pw');
      await connector.close();
      assert.ok(!(await inFlight).ok);
      const after = await connector.login('alice', 'pw');
      assert.ok(!after.ok && after.reason === 'unavailable');
    } finally {
      await listener.close();
    }
  });
});

describe('an untrusted certificate (A7)', () => {
  let dir: string;
  let server: tls.Server;
  let url: string;
  let ca: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
    const pair = selfSignedCert(dir);
    ca = pair.cert;
    server = tls.createServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key) }, (s) => s.on('error', () => {}));
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ldaps://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is unavailable at once, never a downgrade', async () => {
    const connector = new LdapConnector(settings(url, 2000), silentLogger);
    const started = Date.now();
    const result = await connector.login('alice', 'pw');
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.match(String((result.error.cause as Error)?.cause ?? result.error.cause), /self-signed certificate/);
    assert.ok(Date.now() - started < 1000);
    assert.equal(await connector.ping(), false);
  });

  it('with the CA configured, TLS succeeds and the silent server then runs into the deadline', async () => {
    const connector = new LdapConnector({ ...settings(url, 300), tlsOptions: { ca: [ca] } }, silentLogger);
    const started = Date.now();
    const result = await connector.login('alice', 'pw');
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.ok(Date.now() - started >= 280, 'the handshake was accepted');
  });
});
