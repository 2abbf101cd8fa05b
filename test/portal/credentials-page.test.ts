/**
 * The CLI credentials page (POST /portal/credentials) on the demo defaults:
 * - it sets a region and an endpoint for current CLIs and SDKs (AWS_ENDPOINT_URL) and, for CLI
 *   2.9, an `aws` function adding --endpoint-url; the page's export block plus that function,
 *   pasted into bash, make the real /usr/bin/aws 2.9 answer get-caller-identity from this server
 *   (and the export block alone does not: 2.9 ignores AWS_ENDPOINT_URL);
 * - it shows the helper's install, login and credential_process lines;
 * - the expiry as an ISO time and in words, on the injected clock;
 * - copy buttons without inline script; SECURITY B4 (CSRF, no GET mint) and B5 (headers,
 *   Cache-Control: no-store).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { loadConfig } from '../../src/config/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { durationInWords, relativeInWords, retryAfterInWords } from '../../src/web/in-words.js';
import { tempDir } from '../support/files.js';
import { AWS_CLI, startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { demoLogins, postForm, signedIn, text } from './helpers.js';

/** The text of the copyable block `id` on the page. */
export function block(html: string, id: string): string {
  const m = new RegExp(`<pre id="${id}">([\\s\\S]*?)</pre>`).exec(html);
  assert.ok(m, `a block #${id} on the page`);
  return text(m[1]!);
}

function bash(script: string, env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('/bin/bash', ['--noprofile', '--norc', '-s'], { encoding: 'utf8', timeout: 90_000, env }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(script);
  });
}

describe('durations in words', () => {
  it('words credentials lifetimes and waits', () => {
    assert.equal(relativeInWords(3_600_000 - 1_000, 0), 'in 59 minutes');
    assert.equal(relativeInWords(3_600_000, 0), 'in 1 hour');
    assert.equal(relativeInWords(8 * 3_600_000 + 5 * 60_000 + 10, 0), 'in 8 hours and 5 minutes');
    assert.equal(relativeInWords(30_000, 0), 'in less than a minute');
    assert.equal(relativeInWords(0, 1), 'expired');
    assert.equal(durationInWords(61_000), '1 minute');
    assert.equal(durationInWords(61_000, { roundUp: true }), '2 minutes');
    assert.equal(retryAfterInWords(900), 'Try again in 15 minutes.');
    assert.equal(retryAfterInWords(1), 'Try again in 1 second.');
    assert.equal(retryAfterInWords(45), 'Try again in 45 seconds.');
  });
});

describe('the CLI credentials page', () => {
  let gh: TestGatehouse;
  let logins: Map<string, string>;
  const home = tempDir();

  before(async () => {
    gh = await startGatehouse();
    logins = demoLogins(gh.server.config.dataDir);
  });
  after(async () => {
    await gh?.close();
    home.cleanup();
  });

  const page = async (user: string, set: string) => {
    const { agent } = await signedIn(gh.url, user, logins.get(user)!);
    const r = await postForm(agent, '/portal/credentials', { permissionSet: set });
    assert.equal(r.status, 200, text(r.text).slice(0, 300));
    return r;
  };

  it('sets a region, AWS_ENDPOINT_URL, and an --endpoint-url function for CLIs older than 2.13', async () => {
    const r = await page('grace', 'Developer');
    const env = block(r.text, 'env-bash');
    assert.match(env, /^export AWS_REGION=us-east-1$/m);
    assert.match(env, /^export AWS_DEFAULT_REGION=us-east-1$/m);
    assert.match(env, new RegExp(`^export AWS_ENDPOINT_URL=${gh.url}$`, 'm'));
    assert.equal(block(r.text, 'env-old-cli'), `aws() { command aws --endpoint-url ${gh.url} "$@"; }`);
    assert.match(block(r.text, 'env-powershell'), /^\$Env:AWS_REGION="us-east-1"$/m);
    assert.match(block(r.text, 'env-powershell-old-cli'), new RegExp(`--endpoint-url "${gh.url}" @args`));
    assert.match(block(r.text, 'file-config'), /^region = us-east-1$/m);
    assert.match(text(r.text), /Region: us-east-1/);
    assert.match(text(r.text), /AWS CLI older than 2\.13/);
  });

  it('shows the helper install, login and credential_process lines', async () => {
    const r = await page('grace', 'Developer');
    const lines = block(r.text, 'helper').split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      `mkdir -p ~/.gatehouse && curl -fsS ${gh.url}/portal/cli/gatehouse.mjs -o ~/.gatehouse/gatehouse.mjs`,
      `node ~/.gatehouse/gatehouse.mjs login --portal ${gh.url}/portal/`,
      `aws configure set credential_process "node $HOME/.gatehouse/gatehouse.mjs credentials --portal ${gh.url}/portal/ --permission-set Developer" --profile Developer`,
    ]);
    assert.doesNotMatch(r.text, /npx gatehouse|--user grace/, 'no clone-only npx line, no password path');
    // The install line, pasted into bash, downloads the helper the portal serves.
    const installed = await bash(`${lines[0]}\nnode --check ~/.gatehouse/gatehouse.mjs && wc -c < ~/.gatehouse/gatehouse.mjs\n`, { PATH: '/usr/bin:/bin', HOME: home.dir });
    assert.equal(installed.status, 0, installed.stderr);
    const served = await supertest(gh.url).get('/portal/cli/gatehouse.mjs').buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (c: Buffer) => void (body += c.toString('utf8')));
      res.on('end', () => done(null, body));
    });
    assert.equal(Number(installed.stdout.trim()), Buffer.byteLength(served.body as string));
  });

  it('the export block plus the function, pasted into bash, work with the real AWS CLI 2.9; the export block alone does not', async () => {
    const r = await page('ada', 'Admin');
    const version = await bash(`${AWS_CLI} --version`, { PATH: '/usr/bin:/bin', HOME: home.dir });
    assert.match(version.stdout + version.stderr, /aws-cli\/2\.9\./, 'the CLI under test is 2.9');
    // A clean environment: no AWS variables, no config, PATH finding /usr/bin/aws first.
    const env = { PATH: '/usr/bin:/bin', HOME: home.dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1' };
    const pasted = `${block(r.text, 'env-bash')}\n${block(r.text, 'env-old-cli')}\ntest "$(type -P aws)" = ${AWS_CLI} && test "$(type -t aws)" = function || exit 97\naws sts get-caller-identity --output json\n`;
    const ok = await bash(pasted, env);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).Arn, `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoAdmin/ada`);
    // Without the function CLI 2.9 goes to AWS (no network here, or AWS refuses the key): never this server.
    const alone = `${block(r.text, 'env-bash')}\naws sts get-caller-identity --output json --cli-connect-timeout 3 --cli-read-timeout 3\n`;
    const notOk = await bash(alone, env);
    assert.notEqual(notOk.status, 0, 'CLI 2.9 ignores AWS_ENDPOINT_URL');
    assert.match(notOk.stderr, /amazonaws\.com/, 'it went to AWS, not to this server');
  });

  it('a configured portal.region is the one the page sets; a bad one stops start-up naming the key', async () => {
    const config = home.write('region.yaml', 'portal: { region: "eu-west-1" }\n');
    const other = await startGatehouse({ configFile: config });
    try {
      const { agent } = await signedIn(other.url, 'grace', demoLogins(other.server.config.dataDir).get('grace')!);
      const r = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
      assert.match(block(r.text, 'env-bash'), /^export AWS_REGION=eu-west-1\nexport AWS_DEFAULT_REGION=eu-west-1$/m);
      assert.match(block(r.text, 'helper'), /^aws configure set region eu-west-1 --profile Developer$/m);
    } finally {
      await other.close();
    }
    assert.throws(() => loadConfig({ file: home.write('bad-region.yaml', 'portal: { region: "us-east-1; rm -rf ~" }\n'), env: {} }), /portal\.region/);
  });

  it('shows the expiry as an ISO time and in words, on the injected clock', async () => {
    const clock = new FixedClock(Date.UTC(2026, 11, 7, 5, 0, 0));
    const frozen = await startGatehouse({ clock });
    try {
      const password = demoLogins(frozen.server.config.dataDir).get('grace')!;
      const { agent } = await signedIn(frozen.url, 'grace', password);
      clock.advance(1000);
      const r = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
      assert.equal(r.status, 200);
      assert.match(r.text, /<time id="expires-at" datetime="2026-12-07T13:00:01\.000Z" data-local-time>2026-12-07 13:00 UTC<\/time>/);
      assert.match(r.text, /<span id="expires-in" data-relative-to="2026-12-07T13:00:01\.000Z">in 8 hours<\/span>/);
    } finally {
      await frozen.close();
    }
  });

  it('copy buttons are there for script to show, and the page has no inline script (B5 headers, no-store)', async () => {
    const r = await page('grace', 'Developer');
    for (const id of ['env-bash', 'env-old-cli', 'helper', 'env-powershell', 'file-credentials', 'file-config']) {
      assert.match(r.text, new RegExp(`<button type="button" class="secondary copy" data-copy="${id}" aria-label="Copy: [^"]+" hidden>Copy</button>`));
    }
    assert.deepEqual([...r.text.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]), ['<script src="/static/gatehouse.js" defer>']);
    assert.doesNotMatch(r.text, /\son[a-z]+=/i, 'no inline event handlers');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.match(r.headers['content-security-policy']!, /frame-ancestors 'none'/);
    assert.match(r.headers['content-security-policy']!, /script-src 'self'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    const js = await supertest(gh.url).get('/static/gatehouse.js');
    assert.equal(js.status, 200);
    assert.match(js.text, /button\.copy\[data-copy\]/);
  });

  it('B4: no credentials without the session CSRF token, from another session\'s token, or by GET', async () => {
    const { agent } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    const other = await signedIn(gh.url, 'grace', logins.get('grace')!);
    const otherToken = /name="_csrf" value="([^"]+)"/.exec(other.home)![1]!;
    for (const body of [{ permissionSet: 'Developer' }, { permissionSet: 'Developer', _csrf: otherToken }, { permissionSet: 'Developer', _csrf: 'x' }]) {
      const r = await agent.post('/portal/credentials').type('form').set('Origin', 'https://evil.example').send(body);
      assert.equal(r.status, 403, JSON.stringify(Object.keys(body)));
      assert.doesNotMatch(r.text, /ASIA[A-Z0-9]{16}|AWS_SECRET_ACCESS_KEY/);
    }
    const get = await agent.get('/portal/credentials?permissionSet=Developer');
    assert.notEqual(get.status, 200, 'GET never shows credentials');
    assert.doesNotMatch(get.text, /ASIA[A-Z0-9]{16}|AWS_SECRET_ACCESS_KEY/);
  });
});
