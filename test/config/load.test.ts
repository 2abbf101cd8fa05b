import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configWarnings, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('loadConfig: defaults', () => {
  it('uses the embedded defaults when no file is named', () => {
    const c = loadConfig({ env: {} });
    assert.deepEqual(c.server, { listen: '127.0.0.1:8080', publicUrl: 'http://127.0.0.1:8080', trustProxy: false, shutdownGraceMs: 10000 });
    assert.equal(c.store.url, 'sqlite:./data/gatehouse.db');
    assert.equal(c.sessions.store, 'sqlite');
    assert.equal(c.directory.url, 'embedded');
    assert.equal(c.directory.searchFilter, '(uid={{username}})');
    assert.equal(c.directory.timeoutMs, 5000);
    assert.deepEqual(c.federation, {
      broker: 'gatehouse-broker',
      consoleUrl: 'http://127.0.0.1:8080/console/',
      issuerCookieDays: 30,
      trustedIssuers: ['http://127.0.0.1:8080/portal/'],
    });
    assert.deepEqual(c.permissionSets, []);
    assert.deepEqual(c.policy, { timeZone: 'UTC' });
    assert.deepEqual(c.log, { level: 'info' });
    assert.equal(c.dataDir, './data');
  });

  it('reports the dev-only defaults as warnings', () => {
    const warnings = configWarnings(loadConfig({ env: {} }));
    assert.ok(warnings.some((w) => w.startsWith('directory.url is "embedded"')));
    assert.ok(warnings.some((w) => w.startsWith('sessions.store is "sqlite"')));
  });

  it('has no dev-only warnings for a production-shaped config', () => {
    const file = tmp.write('prod.yaml', [
      'server: { publicUrl: "https://gatehouse.example.com" }',
      'sessions: { store: "redis://redis:6379" }',
      'directory: { url: "ldaps://dc1.example.com", bindDN: "cn=svc", bindCredentials: "s3cret" }',
      'permissionSets: [{ name: Dev, groups: [developers], policy: { Version: "2012-10-17", Statement: [] } }]',
    ].join('\n'));
    assert.deepEqual(configWarnings(loadConfig({ file, env: {} })), []);
  });

  it('fills the file over the defaults, deriving console and issuer URLs from publicUrl', () => {
    const file = tmp.write('partial.yaml', 'server:\n  publicUrl: "https://gatehouse.example.com/"\nlog: { level: debug }\n');
    const c = loadConfig({ file, env: {} });
    assert.equal(c.server.listen, '127.0.0.1:8080');
    assert.equal(c.server.publicUrl, 'https://gatehouse.example.com');
    assert.equal(c.federation.consoleUrl, 'https://gatehouse.example.com/console/');
    assert.deepEqual(c.federation.trustedIssuers, ['https://gatehouse.example.com/portal/']);
    assert.equal(c.log.level, 'debug');
  });

  it('loads config/gatehouse.example.yaml, which documents every key', () => {
    const c = loadConfig({ file: 'config/gatehouse.example.yaml', env: {}, cwd: repoRoot });
    assert.equal(c.server.listen, '127.0.0.1:8080');
    assert.ok(c.permissionSets.length > 0);
  });

  it('accepts an empty file', () => {
    const file = tmp.write('empty.yaml', '# nothing\n');
    assert.equal(loadConfig({ file, env: {} }).server.listen, '127.0.0.1:8080');
  });
});

describe('loadConfig: which file', () => {
  const a = tmp.write('a.yaml', 'log: { level: warn }\n');
  const b = tmp.write('b.yaml', 'log: { level: error }\n');

  it('reads GATEHOUSE_CONFIG when no file is given', () => {
    assert.equal(loadConfig({ env: { GATEHOUSE_CONFIG: a } }).log.level, 'warn');
  });

  it('prefers --config over GATEHOUSE_CONFIG', () => {
    assert.equal(loadConfig({ file: b, env: { GATEHOUSE_CONFIG: a } }).log.level, 'error');
  });

  it('names a file it cannot read', () => {
    assert.throws(() => loadConfig({ file: `${tmp.dir}/missing.yaml`, env: {} }), /config: cannot read .*missing\.yaml: ENOENT/);
  });
});

describe('loadConfig: environment overrides', () => {
  it('PORT replaces the port of server.listen and the derived URLs follow', () => {
    const c = loadConfig({ env: { PORT: '9000' } });
    assert.equal(c.server.listen, '127.0.0.1:9000');
    assert.equal(c.server.publicUrl, 'http://127.0.0.1:9000');
    assert.equal(c.federation.consoleUrl, 'http://127.0.0.1:9000/console/');
  });

  it('PORT keeps the host from the file, and an explicit publicUrl', () => {
    const file = tmp.write('listen.yaml', 'server: { listen: "0.0.0.0:8080", publicUrl: "https://gh.example.com" }\n');
    const c = loadConfig({ file, env: { PORT: '3000' } });
    assert.equal(c.server.listen, '0.0.0.0:3000');
    assert.equal(c.server.publicUrl, 'https://gh.example.com');
  });

  it('DATABASE_URL and REDIS_URL replace store.url and sessions.store', () => {
    const file = tmp.write('stores.yaml', 'store: { url: "sqlite:./x.db" }\nsessions: { store: sqlite }\n');
    const c = loadConfig({ file, env: { DATABASE_URL: 'postgres://gh:pw@db/gh', REDIS_URL: 'rediss://cache:6380' } });
    assert.equal(c.store.url, 'postgres://gh:pw@db/gh');
    assert.equal(c.sessions.store, 'rediss://cache:6380');
  });

  it('GATEHOUSE_DATA_DIR moves the SQLite file and sets dataDir', () => {
    const c = loadConfig({ env: { GATEHOUSE_DATA_DIR: '/var/lib/gatehouse' } });
    assert.equal(c.store.url, 'sqlite:/var/lib/gatehouse/gatehouse.db');
    assert.equal(c.dataDir, '/var/lib/gatehouse');
  });

  it('GATEHOUSE_DATA_DIR leaves a PostgreSQL store alone', () => {
    const c = loadConfig({ env: { GATEHOUSE_DATA_DIR: '/d', DATABASE_URL: 'postgresql://db/gh' } });
    assert.equal(c.store.url, 'postgresql://db/gh');
  });

  it('a bad PORT is refused', () => {
    assert.throws(() => loadConfig({ env: { PORT: '70000' } }), { name: 'ConfigError', message: 'config: PORT: expected a port number (0-65535)' });
  });

  it('a bad DATABASE_URL names the key and the variable, never the value', () => {
    assert.throws(
      () => loadConfig({ env: { DATABASE_URL: 'mysql://root:topsecret@db/gh' } }),
      (err: Error) => {
        assert.equal(err.message, 'config: store.url (from DATABASE_URL): expected sqlite:PATH or a postgres:// URL');
        assert.doesNotMatch(err.message, /topsecret/);
        return true;
      },
    );
  });
});
