import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

/** Loads `yaml` and returns the error message (fails when it loads). */
function refusal(yaml: string): string {
  const file = tmp.write(`c${n++}.yaml`, yaml);
  try {
    loadConfig({ file, env: {}, cwd: tmp.dir });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`config was accepted:\n${yaml}`);
}

function load(yaml: string) {
  return loadConfig({ file: tmp.write(`c${n++}.yaml`, yaml), env: {}, cwd: tmp.dir });
}

describe('config validation', () => {
  it('refuses a bad value with the key path and the problem', () => {
    assert.equal(refusal('server: { listen: "8080" }'), 'config: server.listen: expected host:port');
    assert.equal(refusal('server: { listen: "localhost:99999" }'), 'config: server.listen: expected host:port');
    assert.match(refusal('directory: { timeoutMs: "soon" }'), /^config: directory\.timeoutMs: invalid input: expected number/);
    assert.match(refusal('log: { level: loud }'), /^config: log\.level: invalid option/);
    assert.match(refusal('server: 5'), /^config: server: invalid input: expected object/);
  });

  it('names array elements by index', () => {
    const msg = refusal('permissionSets:\n  - name: Dev\n    groups: [devs]\n    policy: {}\n  - name: "bad name!"\n    groups: [devs]\n    policy: {}\n');
    assert.match(msg, /^config: permissionSets\[1\]\.name: expected /);
  });

  it('refuses unknown keys, at the top and nested', () => {
    assert.equal(refusal('sever: { listen: "127.0.0.1:1" }'), 'config: unknown key "sever"');
    assert.equal(refusal('server: { listne: "127.0.0.1:1" }'), 'config: server: unknown key "listne"');
    assert.equal(refusal('directory: { tlsOptions: { rejectUnauthorized: false } }'), 'config: directory.tlsOptions: unknown key "rejectUnauthorized"');
    assert.equal(refusal('__proto__: { polluted: true }'), 'config: unknown key "__proto__"');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reports every problem, one per line', () => {
    const lines = refusal('server: { listen: x }\nlog: { level: loud }\nextra: 1').split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => l.startsWith('config: ')));
  });

  it('refuses a bad time zone and canonicalises a good one', () => {
    assert.equal(refusal('policy: { timeZone: "Mars/Olympus_Mons" }'), 'config: policy.timeZone: expected an IANA time zone such as "UTC" or "Europe/Paris"');
    assert.equal(load('policy: { timeZone: "europe/paris" }').policy.timeZone, 'Europe/Paris');
    assert.equal(load('policy: { timeZone: "America/New_York" }').policy.timeZone, 'America/New_York');
  });

  it('refuses duplicate YAML keys and a non-mapping document', () => {
    assert.match(refusal('log: { level: info }\nlog: { level: debug }\n'), /Map keys must be unique at line 2/);
    assert.match(refusal('- a\n- b\n'), /expected a mapping at the top level/);
  });

  it('refuses URLs of the wrong kind', () => {
    assert.match(refusal('server: { publicUrl: "ftp://x" }'), /^config: server\.publicUrl: expected an absolute http/);
    assert.match(refusal('server: { publicUrl: "https://user:pw@x" }'), /^config: server\.publicUrl: /);
    assert.match(refusal('store: { url: "mysql://db" }'), /^config: store\.url: expected sqlite:PATH or a postgres/);
    assert.match(refusal('sessions: { store: "memcached://x" }'), /^config: sessions\.store: expected "sqlite" or a redis/);
    assert.match(refusal('directory: { url: "http://dc1" }'), /^config: directory\.url: expected "embedded" or an ldap/);
    assert.match(refusal('federation: { trustedIssuers: ["javascript:alert(1)"] }'), /^config: federation\.trustedIssuers\[0\]: /);
  });

  it('requires service-account credentials for a real directory', () => {
    const msg = refusal('directory: { url: "ldaps://dc1.example.com" }');
    assert.deepEqual(msg.split('\n'), [
      'config: directory.bindDN: required when url is not "embedded"',
      'config: directory.bindCredentials: required when url is not "embedded"',
    ]);
  });

  it('requires {{username}} in the search filter', () => {
    assert.match(refusal('directory: { searchFilter: "(uid=*)" }'), /^config: directory\.searchFilter: expected a filter containing \{\{username\}\}/);
  });

  it('checks permission sets: one policy source, unique names, existing policy files, role sets', () => {
    assert.match(refusal('permissionSets: [{ name: A, groups: [g] }]'), /permissionSets\[0\]\.policy: a federation set needs policy, policyFile or policyArns/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [g], policy: {}, policyFile: p.json }]'), /at most one of policyFile and policy/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [g], via: role }]'), /permissionSets\[0\]\.roleArn: required when via is role/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [g], via: role, roleArn: "arn:aws:iam::123456789012:role/R", sessionHours: 13 }]'), /permissionSets\[0\]\.sessionHours: at most 12 for via: role/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [g], policy: {} }, { name: a, groups: [g], policy: {} }]'), /permissionSets\[1\]\.name: duplicate permission set name/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [], policy: {} }]'), /permissionSets\[0\]\.groups: too small/);
    assert.match(refusal('permissionSets: [{ name: A, groups: [g], policy: {}, sessionHours: 37 }]'), /permissionSets\[0\]\.sessionHours: too big/);
    assert.equal(refusal('permissionSets: [{ name: A, groups: [g], policyFile: nope.json }]'), 'config: permissionSets[0].policyFile: no such file: nope.json');
    tmp.write('dev.json', '{"Version":"2012-10-17","Statement":[]}');
    assert.equal(load('permissionSets: [{ name: A, groups: [g], policyFile: dev.json }]').permissionSets[0]?.sessionHours, 1);
  });
});
