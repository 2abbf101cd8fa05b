/**
 * Active Directory for real: Gatehouse against a throwaway Samba 4 AD DC (test/support/samba.ts),
 * configured with the `kind: activeDirectory` preset. Every Samba suite is in this one file: the
 * DC's ports (389/636) are fixed, so suites must not run at the same time (the harness also
 * takes a machine-wide lock).
 *
 * Through the portal (form, supertest), the API (/portal/api/credentials) and `gatehouse login`:
 * - a plain user and a nested-group user (staff ⊃ engineering ⊃ aws-developers ⊃ nina);
 * - UPN sign-in: `nina@corp.example.com` and `nina` are one person (`federated-user/nina`);
 * - disabled (533), must-change (773), expired password (532), expired account (701), locked
 *   out (775), wrong password (52e), unknown user: the same generic refusal, the exact reason
 *   and AD sub-code in the log (SECURITY A4);
 * - a search base at the domain root, where AD returns referrals: answered without following;
 * - LDAPS and StartTLS with the test CA, `tlsOptions.servername`, an untrusted CA refused (A7);
 * - non-ASCII names and passwords;
 * - objectGUID as the stable id, next to the DN;
 * - tokenGroups and the in-chain rule give the same groups (a person in 1,100 groups);
 * - the DC stopped, then frozen (SIGSTOP), mid-session: 503 within timeoutMs, then back without
 *   a Gatehouse restart (F1);
 * - the README's Active Directory YAML, word for word, signs in against this DC.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import supertest from 'supertest';
import { parse as parseYaml } from 'yaml';
import { LdapConnector, type DirectorySettings } from '../../src/directory/index.js';
import { ldapjs } from '../../src/directory/ldapjs.js';
import { captureLogger } from '../support/app.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { BASE_DN, sambaSkip, startSamba, type FixtureName, type SambaDc } from '../support/samba.js';
import { signIn, signedIn, postForm, text } from '../portal/helpers.js';
import { cleanEnv, inClone, loginApproved, ROOT } from '../cli/support.js';

const skip = sambaSkip();
const GENERIC = 'The user name or password is incorrect.';
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[]) => ({ Effect: 'Allow', Action, Resource: '*' });

/** Permission sets over the DC's groups: bare CNs (under groupSearchBase) and one full DN. */
const SETS = [
  { name: 'Reader', groups: ['aws-readers'], policy: doc(allow('s3:Get*')), sessionHours: 1 },
  { name: 'Developer', groups: ['aws-developers'], policy: doc(allow('s3:*')), sessionHours: 1 },
  { name: 'Staff', groups: [`CN=staff,OU=Groups,${BASE_DN}`], policy: doc(allow('iam:Get*')), sessionHours: 1 },
];

interface Line {
  event?: string;
  outcome?: string;
  reason?: string;
  adCode?: string;
  username?: string;
  stableId?: string;
  dn?: string;
}

describe('Active Directory: Samba AD DC', { skip, timeout: 20 * 60_000 }, () => {
  let dc: SambaDc;
  let gh: TestGatehouse;
  let lines: string[];
  const tmp = tempDir();
  const connectors: LdapConnector[] = [];
  const connector = (settings: DirectorySettings) => {
    const c = new LdapConnector(settings, captureLogger().logger);
    connectors.push(c);
    return c;
  };
  const others: TestGatehouse[] = [];

  /** A Gatehouse whose `directory:` block is `directory` (two starts: the broker policy first). */
  async function gatehouse(directory: Record<string, unknown>, capture?: ReturnType<typeof captureLogger>): Promise<TestGatehouse> {
    const dataDir = tempDir();
    const boot = await startGatehouse({ dataDir: dataDir.dir, configFile: tmp.write(`boot-${others.length}.yaml`, JSON.stringify({ directory })) });
    try {
      const iam = boot.iam();
      await iam.send(new GetUserCommand({ UserName: 'gatehouse-broker' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'gatehouse-broker', PolicyName: 'portal', PolicyDocument: JSON.stringify(doc(allow('sts:GetFederationToken'), allow(['s3:*', 'iam:Get*']))) }));
    } finally {
      await boot.close();
    }
    const config = { directory, permissionSets: SETS, portal: { attemptsPerIp: 10_000, failuresPerAccount: 100 } };
    const g = await startGatehouse({ dataDir: dataDir.dir, configFile: tmp.write(`gh-${others.length}.yaml`, JSON.stringify(config)), ...(capture && { logger: capture.logger }) });
    others.push(g);
    return g;
  }
  const api = (g: TestGatehouse, username: string, password: string, permissionSet = 'Reader') =>
    supertest(g.url).post('/portal/api/credentials').type('json').send({ username, password, permissionSet });
  const logged = () => lines.map((l) => JSON.parse(l) as Line);

  before(async () => {
    dc = await startSamba({ bulkGroups: 1100 });
    const capture = captureLogger();
    lines = capture.lines;
    // The AD preset: four lines and the CA.
    gh = await gatehouse({ kind: 'activeDirectory', url: dc.url, starttls: true, tlsOptions: { ca: [dc.caFile] }, bindDN: dc.users.svc.dn, bindCredentials: dc.users.svc.password, searchBase: BASE_DN }, capture);
  });
  after(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    await Promise.all(others.map((g) => g.close().catch(() => undefined)));
    await dc?.cleanup();
    tmp.cleanup();
  });

  it('a plain user signs in at the portal and sees the sets of her direct group', async () => {
    const alice = await signedIn(gh.url, 'alice', dc.users.alice.password);
    assert.deepEqual(alice.sets, ['Reader']);
    const login = logged().find((l) => l.event === 'portal.login' && /CN=alice,/i.test(l.dn ?? ''));
    assert.equal(login?.stableId, dc.users.alice.guid, 'objectGUID next to the DN');
  });

  it('a nested-group user sees the sets of every group above hers (bare CN and full DN)', async () => {
    const nina = await signedIn(gh.url, 'nina', dc.users.nina.password);
    assert.deepEqual(nina.sets.sort(), ['Developer', 'Staff']);
    const r = await postForm(nina.agent, '/portal/credentials', { permissionSet: 'Staff' });
    assert.equal(r.status, 200, text(r.text).slice(0, 300));
    assert.match(r.text, /ASIA[A-Z0-9]{12,}/);
  });

  it('UPN sign-in: nina@corp.example.com and nina are one person (federated-user/nina)', async () => {
    for (const username of [dc.users.nina.upn, 'nina', dc.users.nina.upn.toUpperCase()]) {
      const r = await api(gh, username, dc.users.nina.password, 'Developer');
      assert.equal(r.status, 200, `${username}: ${r.text}`);
      const who = await gh.sts({ accessKeyId: r.body.AccessKeyId, secretAccessKey: r.body.SecretAccessKey, sessionToken: r.body.SessionToken }).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:sts::${gh.accountId}:federated-user/nina`, username);
    }
    const portal = await signedIn(gh.url, dc.users.nina.upn, dc.users.nina.password);
    assert.deepEqual(portal.sets.sort(), ['Developer', 'Staff']);
    const mint = logged().filter((l) => l.event === 'portal.credentials').at(-1) as Line & { principal?: string };
    assert.equal(mint.principal, 'nina');
    assert.equal(mint.stableId, dc.users.nina.guid, 'the mint is logged with the objectGUID');
  });

  it('non-ASCII name and password sign in (portal and API)', async () => {
    const zoe = dc.users.zoe;
    const portal = await signedIn(gh.url, zoe.name, zoe.password);
    assert.deepEqual(portal.sets, ['Staff']);
    const r = await api(gh, zoe.upn, zoe.password, 'Staff');
    assert.equal(r.status, 200, r.text);
    const who = await gh.sts({ accessKeyId: r.body.AccessKeyId, secretAccessKey: r.body.SecretAccessKey, sessionToken: r.body.SessionToken }).send(new GetCallerIdentityCommand({}));
    assert.match(who.Arn ?? '', /:federated-user\/.+/);
    assert.equal((await api(gh, zoe.name, `${zoe.password.normalize('NFD')}x`, 'Staff')).status, 401);
  });

  const refusals: Array<[string, FixtureName | undefined, string, string | undefined, (dc: SambaDc) => string]> = [
    ['disabled', 'dora', 'account-disabled', '533', (d) => d.users.dora.password],
    ['must change its password', 'mona', 'password-must-change', '773', (d) => d.users.mona.password],
    ['with an expired password', 'pete', 'password-expired', '532', (d) => d.users.pete.password],
    ['with an expired account', 'exie', 'account-expired', '701', (d) => d.users.exie.password],
    ['locked out', 'lola', 'account-locked', '775', (d) => d.users.lola.password],
    ['given a wrong password', 'alice', 'bad-password', '52e', () => 'Wrong-password-1'],
    ['unknown', undefined, 'unknown-user', undefined, () => 'Any-password-1'],
  ];
  for (const [what, who, reason, adCode, pw] of refusals) {
    it(`an account ${what}: the generic refusal (portal and API), "${reason}"${adCode ? ` (${adCode})` : ''} in the log only`, async () => {
      if (who === 'lola') await dc.lockOut('lola');
      const username = who ? dc.users[who].name : 'no-such-person';
      const before = lines.length;
      const form = await signIn(supertest.agent(gh.url), username, pw(dc));
      assert.equal(form.status, 401);
      assert.match(text(form.text), new RegExp(GENERIC.replace('.', '\\.')));
      const r = await api(gh, username, pw(dc));
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 'InvalidCredentials', message: GENERIC });
      const refused = logged().slice(before).filter((l) => l.event === 'directory.login' && l.outcome === 'refused');
      assert.equal(refused.length, 2, 'one log line per attempt');
      for (const l of refused) {
        assert.equal(l.reason, reason);
        assert.equal(l.adCode, adCode);
      }
      assert.ok(!lines.slice(before).some((l) => l.includes(pw(dc))), 'never the password');
    });
  }

  it('a domain-root search base: AD answers with referrals, which are ignored, never followed', async () => {
    // The DC really sends continuation references for this base (the test can fail).
    const refs = await new Promise<string[]>((resolve, reject) => {
      const client = ldapjs.createClient({ url: dc.url });
      client.bind(dc.users.svc.dn, dc.users.svc.password, (err) => {
        if (err) return reject(err);
        const found: string[] = [];
        client.search(BASE_DN, { scope: 'sub', filter: '(sAMAccountName=alice)', attributes: ['dn'] }, (e: Error | null, res: { on(ev: string, l: (x: any) => void): void }) => {
          if (e) return reject(e);
          res.on('searchReference', (ref) => found.push(...(ref.uri ?? ref.uris ?? [])));
          res.on('error', reject);
          res.on('end', () => (client.destroy(), resolve(found)));
        });
      });
    });
    assert.ok(refs.length >= 1, 'referrals at the domain root');
    assert.ok(refs.every((r) => r.startsWith(`ldap://${'corp.example.com'}/`)), refs.join(' '));
    // Those hosts do not resolve here: following one would fail or hang; the login is prompt.
    const c = connector(dc.settings({ searchBase: BASE_DN, timeoutMs: 5000 }));
    const started = performance.now();
    const result = await c.login('alice', dc.users.alice.password);
    assert.ok(result.ok, JSON.stringify(result));
    assert.ok(performance.now() - started < 5000);
    assert.equal(result.user.stableId, dc.users.alice.guid);
    assert.equal(result.user.dn.toLowerCase(), dc.users.alice.dn.toLowerCase());
    assert.deepEqual(await c.currentGroups('alice'), result.user.groups, 'the group re-check too');
  });

  it('LDAPS and StartTLS with the test CA; servername for a DC reached by IP; an unknown CA is unavailable, never clear text', async () => {
    const ca = { ca: [dc.caFile] };
    const ok = async (settings: DirectorySettings) => {
      const r = await connector(settings).login('alice', dc.users.alice.password);
      assert.ok(r.ok, `${settings.url} ${JSON.stringify(r)}`);
    };
    await ok(dc.settings({ url: dc.ldapsUrl, tlsOptions: ca }));
    await ok(dc.settings({ url: dc.url, starttls: true, tlsOptions: ca }));
    await ok(dc.settings({ url: dc.ldapsUrl, tlsOptions: { ...ca, servername: 'dc1.corp.example.com' } }));
    const wrongName = await connector(dc.settings({ url: dc.ldapsUrl, tlsOptions: { ...ca, servername: 'dc2.corp.example.com' }, timeoutMs: 3000 })).login('alice', dc.users.alice.password);
    assert.equal(wrongName.ok ? 'ok' : wrongName.reason, 'unavailable');
    const otherCa = tmp.write('other-ca.pem', selfSignedCa());
    for (const settings of [dc.settings({ url: dc.ldapsUrl, tlsOptions: { ca: [otherCa] }, timeoutMs: 3000 }), dc.settings({ url: dc.url, starttls: true, tlsOptions: { ca: [otherCa] }, timeoutMs: 3000 })]) {
      const r = await connector(settings).login('alice', dc.users.alice.password);
      assert.equal(r.ok ? 'ok' : r.reason, 'unavailable', settings.url);
    }
  });

  it('tokenGroups and the in-chain rule find the same groups, for a person in 1,100 groups too', async () => {
    const token = connector(dc.settings({ tokenGroups: true, nestedGroupCacheMs: 0 }));
    const chain = connector(dc.settings({ tokenGroups: false, nestedGroupCacheMs: 0, timeoutMs: 20_000 }));
    // tokenGroups also counts the primary group (Domain Users, through primaryGroupID, which
    // the in-chain rule does not follow) and what it is in (Builtin\Users).
    const primary = [`cn=domain users,cn=users,${BASE_DN.toLowerCase()}`, `cn=users,cn=builtin,${BASE_DN.toLowerCase()}`];
    for (const who of ['nina', 'many'] as const) {
      const u = dc.users[who];
      const [a, b] = [await token.login(u.name, u.password), await chain.login(u.name, u.password)];
      assert.ok(a.ok && b.ok);
      assert.deepEqual(a.user.groups.filter((g) => !primary.includes(g)).sort(), [...b.user.groups].sort(), `${who}: same groups`);
      assert.deepEqual(a.user.groups.filter((g) => primary.includes(g)).sort(), [...primary].sort());
      if (who === 'many') assert.equal(b.user.groups.length, dc.bulkGroups);
      assert.deepEqual((await token.currentGroups(u.name))?.sort(), [...a.user.groups].sort(), 'the re-check reads tokenGroups too');
    }
  });

  it('the DC stopped mid-session: 503 (portal and API), then back without a Gatehouse restart', async () => {
    const g = await gatehouse({ kind: 'activeDirectory', url: dc.url, bindDN: dc.users.svc.dn, bindCredentials: dc.users.svc.password, searchBase: BASE_DN, timeoutMs: 3000 });
    const alice = await signedIn(g.url, 'alice', dc.users.alice.password);
    await dc.stop();
    try {
      assert.equal((await postForm(alice.agent, '/portal/credentials', { permissionSet: 'Reader' })).status, 503);
      assert.equal((await api(g, 'alice', dc.users.alice.password)).status, 503);
    } finally {
      await dc.start();
    }
    assert.equal((await postForm(alice.agent, '/portal/credentials', { permissionSet: 'Reader' })).status, 200);
    assert.equal((await api(g, 'alice', dc.users.alice.password)).status, 200);
  });

  it('the DC frozen (SIGSTOP) mid-session: 503 within timeoutMs, then back after SIGCONT', async () => {
    const g = await gatehouse({ kind: 'activeDirectory', url: dc.url, bindDN: dc.users.svc.dn, bindCredentials: dc.users.svc.password, searchBase: BASE_DN, timeoutMs: 2000 });
    const alice = await signedIn(g.url, 'alice', dc.users.alice.password);
    dc.freeze();
    try {
      let started = performance.now();
      assert.equal((await postForm(alice.agent, '/portal/credentials', { permissionSet: 'Reader' })).status, 503);
      assert.ok(performance.now() - started < 2000 + 1500, 'within the deadline');
      started = performance.now();
      assert.equal((await api(g, 'alice', dc.users.alice.password)).status, 503);
      assert.ok(performance.now() - started < 2000 + 1500);
      const health = await supertest(g.url).get('/healthz');
      assert.equal(health.status, 200, '/healthz does not wait for the directory');
    } finally {
      dc.thaw();
    }
    assert.equal((await postForm(alice.agent, '/portal/credentials', { permissionSet: 'Reader' })).status, 200);
    assert.equal((await api(g, 'alice', dc.users.alice.password)).status, 200);
  });

  it('gatehouse login: the device approved by a UPN sign-in at the portal, then gatehouse credentials as federated-user/nina', async () => {
    const home = tmp.dir + '/cli-home';
    const env = cleanEnv(home, { GATEHOUSE_HOME: `${home}/.gatehouse` });
    assert.ok(!Object.values(env).some((v) => v.includes(dc.users.nina.password)), 'no password in the CLI environment');
    const login = await loginApproved([process.execPath, '--import', 'tsx', `${ROOT}src/cli.ts`, 'login', '--portal', `${gh.url}/portal/`, '--no-browser'], { cwd: ROOT, env, url: gh.url, username: dc.users.nina.upn, password: dc.users.nina.password });
    assert.equal(login.code, 0, login.stderr);
    const creds = await inClone(['credentials', '--portal', gh.url, '--permission-set', 'Developer'], home);
    assert.equal(creds.code, 0, creds.stderr);
    const c = JSON.parse(creds.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const who = await gh.sts({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${gh.accountId}:federated-user/nina`);
    const refused = await inClone(['credentials', '--portal', gh.url, '--permission-set', 'Reader'], home);
    assert.notEqual(refused.code, 0, 'nina is not entitled to Reader (groups re-read from the DC)');
  });

  it("the README's Active Directory YAML, word for word, signs in against this DC", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- ad-example -->\s*```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, 'the README has the AD example block (marked <!-- ad-example -->)');
    // Only the DC's address, the CA file and the service password differ from the README's text.
    const yaml = block
      .replaceAll('ldaps://dc1.corp.example.com', dc.ldapsUrl)
      .replaceAll('/etc/gatehouse/corp-root-ca.pem', dc.caFile)
      .replace(/bindCredentials: .*/, `bindCredentials: ${JSON.stringify(dc.users.svc.password)}`);
    const config = parseYaml(yaml) as { directory: Record<string, unknown>; permissionSets?: unknown };
    assert.equal(config.directory.kind, 'activeDirectory');
    const g = await gatehouse(config.directory);
    const nina = await signedIn(g.url, dc.users.nina.upn, dc.users.nina.password);
    assert.deepEqual(nina.sets.sort(), ['Developer', 'Staff']);
  });
});

/** A CA certificate that signed nothing here (for the untrusted-CA case). */
function selfSignedCa(): string {
  const t = tempDir();
  try {
    spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${t.dir}/k.pem`, '-out', `${t.dir}/c.pem`, '-days', '1', '-subj', '/CN=Other CA']);
    return readFileSync(`${t.dir}/c.pem`, 'utf8');
  } finally {
    t.cleanup();
  }
}
