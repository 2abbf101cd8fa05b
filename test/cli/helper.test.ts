/**
 * The one-file helper's own rules (src/commands/standalone/gatehouse.mjs), as real processes:
 * - `--portal` with or without its /portal/ path; http:// refused except on loopback unless
 *   --insecure-http, before any network;
 * - the password path reads piped stdin only with --password-stdin: with no terminal and no
 *   --password-stdin it fails at once, the password unread and no sign-in attempted;
 * - usage errors exit 2; the in-repo `gatehouse --help` lists login and credentials;
 * - `npm install -g` of the checkout gives a `gatehouse` whose login and credentials work from
 *   any folder (they run the one-file helper: no build needed).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { portalBase } from '../../src/commands/standalone/gatehouse.mjs';
import { captureLogger } from '../support/app.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { tempDir } from '../support/files.js';
import { demoLogins } from '../portal/helpers.js';
import { cleanEnv, inClone, loginApproved, ROOT, run } from './support.js';

describe('gatehouse.mjs: portal addresses', () => {
  it('accepts the portal with or without /portal/, keeps a path prefix, refuses http:// beyond loopback', () => {
    for (const u of ['https://gh.example.com', 'https://gh.example.com/', 'https://gh.example.com/portal', 'https://gh.example.com/portal/']) assert.equal(portalBase(u), 'https://gh.example.com', u);
    assert.equal(portalBase('https://example.com/gatehouse/portal/'), 'https://example.com/gatehouse');
    for (const u of ['http://127.0.0.1:8080/portal/', 'http://localhost:8080', 'http://[::1]:8080/', 'http://127.1.2.3/']) assert.ok(portalBase(u).startsWith('http://'), u);
    for (const u of ['http://gh.example.com/portal/', 'http://10.0.0.1/', 'http://127.0.0.1.nip.io/', 'http://localhost.evil.example/']) {
      assert.throws(() => portalBase(u), /refusing the http:\/\/ portal/, u);
      assert.ok(portalBase(u, { insecureHttp: true }).startsWith('http://'));
    }
    for (const u of ['ftp://gh.example.com/', 'file:///etc/passwd', 'gh.example.com', 'https://user:pw@gh.example.com/', 'https://gh.example.com/?x=1']) assert.throws(() => portalBase(u), /--portal/, u);
  });
});

describe('gatehouse credentials and login as processes', () => {
  let gh: TestGatehouse;
  const { logger, lines } = captureLogger();
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let password: string;
  before(async () => {
    gh = await startGatehouse({ logger });
    password = demoLogins(gh.server.config.dataDir).get('grace')!;
  });
  after(async () => {
    await gh.close();
    tmp.cleanup();
  });

  it('refuses a non-loopback http:// portal before any network (exit 2), unless --insecure-http', async () => {
    // 10.255.255.1 does not answer: any attempt to reach it would take the 15 s deadline.
    for (const cmd of [['credentials', '--permission-set', 'Developer'], ['login', '--no-browser']]) {
      const r = await inClone([cmd[0]!, '--portal', 'http://10.255.255.1/portal/', ...cmd.slice(1)], home);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /refusing the http:\/\/ portal http:\/\/10\.255\.255\.1/);
      assert.equal(r.stdout, '');
      assert.ok(r.ms < 8_000, `refused before any network (${r.ms} ms)`);
    }
    const allowed = await inClone(['credentials', '--portal', 'http://10.255.255.1/portal/', '--permission-set', 'Developer', '--insecure-http'], home);
    assert.equal(allowed.code, 1);
    assert.equal(allowed.stderr, 'run: gatehouse login --portal http://10.255.255.1/portal/\n', 'allowed, and no grant stored for it');
  });

  it('never reads piped stdin as a password: without a terminal and --password-stdin it fails at once, no sign-in tried', async () => {
    const before = lines.length;
    const r = await inClone(['credentials', '--portal', gh.url, '--user', 'grace', '--permission-set', 'Developer'], home, { input: 'open' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no terminal to read the password from: use --password-stdin/);
    assert.ok(r.ms < 10_000);
    const piped = await inClone(['credentials', '--portal', gh.url, '--user', 'grace', '--permission-set', 'Developer'], home, { input: `${password}\n` });
    assert.equal(piped.code, 1, 'a password piped without --password-stdin is not used');
    assert.equal(lines.slice(before).filter((l) => /directory\.login|portal\.credentials/.test(l)).length, 0, 'no sign-in reached the portal');
    const explicit = await inClone(['credentials', '--portal', gh.url, '--user', 'grace', '--password-stdin', '--permission-set', 'Developer'], home, { input: `${password}\n` });
    assert.equal(explicit.code, 0, explicit.stderr);
    assert.equal(JSON.parse(explicit.stdout).Version, 1);
    assert.ok(lines.slice(before).some((l) => /portal\.credentials/.test(l)), 'a sign-in that does reach the portal is logged (the check above can fail)');
  });

  it('npm install -g of the checkout: gatehouse login and credentials work from another folder', async () => {
    const prefix = join(tmp.dir, 'npm-global');
    const env = cleanEnv(join(tmp.dir, 'npm-home'), { npm_config_cache: join(tmp.dir, 'npm-cache'), npm_config_update_notifier: 'false' });
    // --ignore-scripts: the test must not rebuild the shared checkout's dist/ (a user's install runs `prepare`).
    const install = await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--ignore-scripts', '--no-audit', '--no-fund', ROOT], { cwd: tmp.dir, env, timeoutMs: 120_000 });
    assert.equal(install.code, 0, install.stderr);
    const bin = join(prefix, 'bin', 'gatehouse');
    const userHome = join(tmp.dir, 'global-user');
    const userEnv = cleanEnv(userHome);
    const none = await run(bin, ['credentials', '--portal', `${gh.url}/portal/`, '--permission-set', 'Developer'], { cwd: tmp.dir, env: userEnv });
    assert.equal(none.stderr, `run: gatehouse login --portal ${gh.url}/portal/\n`);
    const login = await loginApproved([bin, 'login', '--portal', gh.url, '--no-browser'], { cwd: tmp.dir, env: userEnv, url: gh.url, username: 'grace', password });
    assert.equal(login.code, 0, login.stderr);
    const c = await run(bin, ['credentials', '--portal', gh.url, '--permission-set', 'Developer'], { cwd: tmp.dir, env: userEnv });
    assert.equal(c.code, 0, c.stderr);
    assert.match(JSON.parse(c.stdout).AccessKeyId, /^ASIA/);
  });

  it('usage errors exit 2; --help lists the helper commands', async () => {
    assert.equal((await inClone(['credentials', '--portal', gh.url], home)).code, 2, 'no --permission-set');
    assert.equal((await inClone(['credentials', '--permission-set', 'Developer'], home)).code, 2, 'no --portal');
    assert.equal((await inClone(['login', '--portal', gh.url, '--frobnicate'], home)).code, 2);
    assert.equal((await inClone(['credentials', '--portal', gh.url, '--permission-set', 'X', '--password-stdin'], home)).code, 2, '--password-stdin without --user');
    const help = await inClone(['--help'], home);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /login/);
    assert.match(help.stdout, /credentials/);
  });
});
