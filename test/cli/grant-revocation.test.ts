/**
 * Issue 11, "Done when" (second test), SECURITY A6 and H12 on a real slapd: after
 * `gatehouse login`, removing the person from their group makes the very next
 * `gatehouse credentials` for that set fail, even though credentials for it were cached a moment
 * before; their other sets keep working. Also: the helper fails at once, with one stderr line,
 * when the grant is missing, expired or revoked (never a prompt, never a wait).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { captureLogger } from '../support/app.js';
import { tempDir } from '../support/files.js';
import { startSlapd, slapdSkip, SUFFIX, type Slapd } from '../support/slapd.js';
import { portalEnv, signedIn, csrfIn, type PortalEnv } from '../portal/helpers.js';
import { cleanEnv, inClone, loginApproved, ROOT } from './support.js';

const skip = slapdSkip();

describe('a CLI grant never outlives a removed membership (A6, H12)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  const { logger, lines } = captureLogger();
  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { logger });
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
    tmp.cleanup();
  });

  const credentials = (set: string, input?: 'open') => inClone(['credentials', '--portal', `${env.gh.url}/portal/`, '--permission-set', set], home, input ? { input } : {});
  const loginLine = () => `run: gatehouse login --portal ${env.gh.url}/portal/\n`;

  it('without a grant: one stderr line and exit 1, at once, with stdin left open and unread', async () => {
    const r = await credentials('Admin', 'open');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, loginLine());
    assert.ok(r.ms < 10_000, `no wait (${r.ms} ms)`);
  });

  it('removing bob from cn=admins makes the next credentials for Admin fail; Staff still works', async () => {
    const login = await loginApproved([process.execPath, '--import', 'tsx', `${ROOT}src/cli.ts`, 'login', '--portal', env.gh.url, '--no-browser'], {
      cwd: ROOT, env: cleanEnv(home, { GATEHOUSE_HOME: join(home, '.gatehouse') }), url: env.gh.url, username: 'bob', password: slapd.passwords.bob!,
    });
    assert.equal(login.code, 0, login.stderr);
    const admin = await credentials('Admin');
    assert.equal(admin.code, 0, admin.stderr);
    assert.match(JSON.parse(admin.stdout).AccessKeyId, /^ASIA/);
    assert.equal((await credentials('Staff')).code, 0);
    // Credentials minted with the grant name the person as the portal does: DN and stable id (entryUUID).
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const signin = logged.find((l) => l.event === 'portal.login' && String(l.dn).startsWith('uid=bob,'));
    const minted = logged.filter((l) => l.event === 'portal.credentials' && l.principal === 'bob');
    assert.ok(signin && typeof signin.stableId === 'string', 'slapd gives bob an entryUUID');
    assert.equal(minted.length, 2);
    for (const m of minted) assert.deepEqual([m.dn, m.stableId], [signin.dn, signin.stableId]);
    // Out of cn=admins (offline, with slapmodify; the same ports afterwards).
    await slapd.stop();
    const ldif = tmp.write('remove-bob.ldif', `dn: cn=admins,ou=groups,${SUFFIX}\nchangetype: modify\nadd: member\nmember: cn=nobody,ou=groups,${SUFFIX}\n-\ndelete: member\nmember: uid=bob,ou=people,${SUFFIX}\n-\n`);
    const mod = spawnSync('/usr/sbin/slapmodify', ['-f', join(slapd.dir, 'slapd.conf'), '-l', ldif], { encoding: 'utf8' });
    await slapd.start();
    assert.equal(mod.status, 0, mod.stderr);
    const refused = await credentials('Admin');
    assert.equal(refused.code, 1, 'the cached Admin credentials are not handed out any more');
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /403 AccessDenied/);
    const cached = readdirSync(join(home, '.gatehouse')).filter((f) => f.startsWith('credentials-'));
    assert.equal(cached.length, 1, 'the Admin cache is dropped, the Staff one kept');
    assert.equal((await credentials('Staff')).code, 0, 'the remaining set still works');
  });

  it('a grant revoked on the portal, or expired, is "run: gatehouse login" at once', async () => {
    const { agent, home: page } = await signedIn(env.gh.url, 'bob', slapd.passwords.bob!);
    const id = /name="grant" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(id, 'the grant is listed on the portal home');
    assert.equal((await agent.post('/portal/grants/revoke').type('form').send({ _csrf: csrfIn(page)!, grant: id })).status, 303);
    const r = await credentials('Staff');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, loginLine());
    assert.deepEqual(readdirSync(join(home, '.gatehouse')).filter((f) => f.endsWith('.json')), [], 'grant and caches forgotten');
    // An expired grant never reaches the network.
    const file = join(home, '.gatehouse', 'grant-expired.json');
    writeFileSync(file, JSON.stringify({ grant: 'ghg_x', expiresAt: Date.now() - 1 }), { mode: 0o600 });
    const again = await credentials('Staff');
    assert.equal(again.stderr, loginLine());
    assert.ok(readFileSync(file));
  });
});
