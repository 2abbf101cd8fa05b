/**
 * The embedded demo directory, through the same LdapConnector the portal uses: the demo logins
 * work with nested groups; anonymous and user searches are refused; passwords persist in
 * demo-logins.txt; it warns that it is for demonstration only; it does not pretend StartTLS.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LdapConnector, groupMatches, openDirectory, startEmbeddedDirectory, type EmbeddedDirectory } from '../../src/directory/index.js';
import { ldapjs, type LdapClient } from '../../src/directory/ldapjs.js';
import { silentLogger } from '../../src/shared/logger.js';
import { defaultConfig, captureLogger } from '../support/app.js';

const G = (cn: string) => `cn=${cn},ou=groups,dc=example,dc=com`;

/** Binds (when given credentials), then searches; resolves the result code and entry count. */
function rawSearch(url: string, bind?: [string, string]): Promise<{ code: number; entries: number }> {
  const client: LdapClient = ldapjs.createClient({ url });
  client.on('error', () => {});
  const search = () =>
    new Promise<{ code: number; entries: number }>((resolve) => {
      let entries = 0;
      client.search('dc=example,dc=com', { filter: '(objectClass=*)', scope: 'sub' }, (err: Error | null, res: NodeJS.EventEmitter) => {
        if (err) return resolve({ code: (err as Error & { code: number }).code, entries });
        res.on('searchEntry', () => entries++);
        res.on('error', (e: Error & { code: number }) => resolve({ code: e.code, entries }));
        res.on('end', (r: { status: number }) => resolve({ code: r.status, entries }));
      });
    });
  const work = bind
    ? new Promise<{ code: number; entries: number }>((resolve) =>
        client.bind(bind[0], bind[1], (err) => (err ? resolve({ code: (err as Error & { code: number }).code, entries: 0 }) : resolve(search()))),
      )
    : search();
  return work.finally(() => client.destroy());
}

describe('embedded demo directory', () => {
  let dataDir: string;
  let demo: EmbeddedDirectory;
  let warnings: string[];
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    const { logger, lines } = captureLogger();
    demo = await startEmbeddedDirectory({ dataDir, logger });
    warnings = lines;
  });
  after(async () => {
    await demo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1, warns that it is for demonstration only, and writes the logins 0600', () => {
    assert.match(demo.url, /^ldap:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(warnings.some((l) => l.includes('"level":40') && l.includes('demonstration only')));
    assert.equal(demo.generated, true);
    assert.equal(statSync(demo.loginsFile).mode & 0o777, 0o600);
    const text = readFileSync(demo.loginsFile, 'utf8');
    for (const l of demo.logins) assert.ok(text.includes(l.password));
    assert.ok(!warnings.some((l) => demo.logins.some((d) => l.includes(d.password))), 'passwords are not logged');
  });

  it('has three demo employees with nested groups', () => {
    assert.deepEqual(demo.logins.map((l) => l.username), ['ada', 'grace', 'linus']);
    const grace = demo.logins.find((l) => l.username === 'grace')!;
    assert.deepEqual(grace.groups, [G('developers'), G('engineering'), G('employees')]);
    assert.ok(groupMatches(demo.logins[0]!.groups, 'admins', demo.groupSearchBase));
    assert.ok(groupMatches(demo.logins[2]!.groups, 'auditors', demo.groupSearchBase));
  });

  it('signs each demo login in through LdapConnector, with the same groups', async () => {
    const connector = new LdapConnector(demo, silentLogger);
    for (const login of demo.logins) {
      const result = await connector.login(login.username, login.password);
      assert.ok(result.ok, login.username);
      assert.equal(result.user.username, login.username);
      assert.deepEqual(result.user.groups, login.groups);
      assert.match(result.user.email ?? '', /@example\.com$/);
    }
    assert.equal(await connector.ping(), true);
  });

  it('refuses a wrong password, another user’s password and an unknown user alike', async () => {
    const connector = new LdapConnector(demo, silentLogger);
    const [ada, grace] = demo.logins;
    for (const [u, p] of [['ada', 'wrong-password'], ['ada', grace!.password], ['nobody', ada!.password]] as const) {
      assert.deepEqual(await connector.login(u, p), { ok: false, reason: 'invalid-credentials' });
    }
  });

  it('refuses anonymous search, a user’s search and an unauthenticated bind', async () => {
    const ada = demo.logins[0]!;
    assert.deepEqual(await rawSearch(demo.url), { code: 50, entries: 0 });
    assert.deepEqual(await rawSearch(demo.url, ['uid=ada,ou=people,dc=example,dc=com', ada.password]), { code: 50, entries: 0 });
    assert.equal((await rawSearch(demo.url, ['uid=ada,ou=people,dc=example,dc=com', ''])).code, 49);
    assert.ok((await rawSearch(demo.url, [demo.bindDN, demo.bindCredentials])).entries >= 10);
  });

  it('does not offer StartTLS, so a StartTLS configuration is unavailable (no downgrade)', async () => {
    const connector = new LdapConnector({ ...demo, starttls: true }, silentLogger);
    const result = await connector.login('ada', demo.logins[0]!.password);
    assert.ok(!result.ok && result.reason === 'unavailable');
  });

  it('keeps the passwords across restarts (and a new service password each start)', async () => {
    const second = await startEmbeddedDirectory({ dataDir, logger: silentLogger });
    try {
      assert.equal(second.generated, false);
      assert.deepEqual(second.logins, demo.logins);
      assert.notEqual(second.bindCredentials, demo.bindCredentials);
      const result = await new LdapConnector(second, silentLogger).login('linus', demo.logins[2]!.password);
      assert.ok(result.ok);
    } finally {
      await second.close();
    }
  });
});

describe('openDirectory', () => {
  it('starts the demo directory for url "embedded" and stops it on close', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
    try {
      const opened = await openDirectory(defaultConfig().directory, { dataDir, logger: silentLogger });
      const ada = opened.embedded!.logins[0]!;
      assert.ok((await opened.connector.login(ada.username, ada.password)).ok);
      await opened.close();
      const after = await opened.connector.login(ada.username, ada.password);
      assert.ok(!after.ok && after.reason === 'unavailable');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives a connector for a real URL without contacting it', async () => {
    const config = { ...defaultConfig().directory, url: 'ldaps://127.0.0.1:1', bindDN: 'cn=svc', bindCredentials: 'x', timeoutMs: 200 };
    const opened = await openDirectory(config, { dataDir: '/nonexistent', logger: silentLogger });
    assert.equal(opened.embedded, undefined);
    assert.equal(await opened.connector.ping(), false);
    await opened.close();
  });
});
