/**
 * LdapConnector against a real OpenLDAP slapd (test/support/slapd.ts): sign-in with direct and
 * nested groups, memberOf, refusals (SECURITY.md A3, A4), TLS (A7), recovery (F1), concurrency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LdapConnector, renderFilter, type LoginResult } from '../../src/directory/index.js';
import { LdapSession } from '../../src/directory/session.js';
import { silentLogger } from '../../src/shared/logger.js';
import { captureLogger } from '../support/app.js';
import { slapdSkip, startSlapd, type Slapd } from '../support/slapd.js';

const skip = slapdSkip();
const G = (cn: string) => `cn=${cn},ou=groups,dc=example,dc=com`;
const INVALID: LoginResult = { ok: false, reason: 'invalid-credentials' };

/** Every connector a test opens, closed at the end (kept sessions would otherwise stay open). */
const opened: LdapConnector[] = [];
function open(...args: ConstructorParameters<typeof LdapConnector>): LdapConnector {
  const c = new LdapConnector(...args);
  opened.push(c);
  return c;
}

describe('LdapConnector on slapd', { skip }, () => {
  let slapd: Slapd;
  let connector: LdapConnector;
  let pw: Slapd['passwords'];
  before(async () => {
    slapd = await startSlapd();
    pw = slapd.passwords;
    connector = new LdapConnector(slapd.settings(), silentLogger);
  });
  after(async () => {
    await connector?.close();
    await Promise.all(opened.map((c) => c.close()));
    await slapd?.cleanup();
  });

  it('signs alice in with her direct and nested groups (developers → engineering → staff)', async () => {
    const result = await connector.login('alice', pw.alice!);
    assert.ok(result.ok);
    assert.match(result.user.stableId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'entryUUID as the stable id');
    assert.deepEqual(result, {
      ok: true,
      user: {
        username: 'alice',
        dn: 'uid=alice,ou=people,dc=example,dc=com',
        stableId: result.user.stableId,
        displayName: 'Alice Liddell',
        email: 'alice@example.com',
        groups: [G('developers'), G('engineering'), G('staff')],
      },
    });
  });

  it('gives bob his groups (a direct member of a parent group counts once)', async () => {
    const result = await connector.login('bob', pw.bob!);
    assert.ok(result.ok);
    assert.deepEqual([...result.user.groups].sort(), [G('admins'), G('staff')]);
  });

  it('signs in a user in no group with an empty group list', async () => {
    const result = await connector.login('carol', pw.carol!);
    assert.ok(result.ok);
    assert.deepEqual(result.user.groups, []);
  });

  it('escapes the user DN in the group filter (cn=Eve (Ops) finds cn=ops)', async () => {
    const result = await connector.login('eve', pw.eve!);
    assert.ok(result.ok);
    assert.equal(result.user.dn, 'cn=Eve (Ops),ou=people,dc=example,dc=com');
    assert.deepEqual(result.user.groups, [G('ops')]);
  });

  it('finds the groups of a DN with an escaped comma (cn=Doe\\, Jane), and a name with a slash', async () => {
    const result = await connector.login('jdoe', pw.jdoe!);
    assert.ok(result.ok);
    assert.deepEqual(result.user.groups, [G('support')]);
    const bot = await connector.login('build/bot', pw.buildbot!);
    assert.ok(bot.ok && bot.user.username === 'build/bot');
  });

  it('survives a cycle of groups', async () => {
    const result = await connector.login('frank', pw.frank!);
    assert.ok(result.ok);
    assert.deepEqual(result.user.groups, [G('cycle-a'), G('cycle-b')]);
  });

  it('reads groups from memberOf alone (one value arrives as a string)', async () => {
    const memberOfOnly = open(slapd.settings({ groupSearchFilter: '(&(member={{dn}})(cn=no-such-group))' }), silentLogger);
    const result = await memberOfOnly.login('alice', pw.alice!);
    assert.ok(result.ok);
    assert.deepEqual(result.user.groups, [G('developers')]);
  });

  it('refuses a wrong password, an unknown user, a locked account and an ambiguous name alike', async () => {
    const { logger, lines } = captureLogger();
    const c = open(slapd.settings(), logger);
    assert.deepEqual(await c.login('alice', 'wrong-password'), INVALID);
    assert.deepEqual(await c.login('nobody', 'wrong-password'), INVALID);
    assert.deepEqual(await c.login('dave', pw.dave!), INVALID); // locked by ppolicy, right password
    assert.deepEqual(await c.login('dup', pw.dup!), INVALID); // two entries, same password
    const reasons = lines.map((l) => JSON.parse(l) as { reason?: string }).map((l) => l.reason);
    assert.deepEqual(reasons, ['bad-password', 'unknown-user', 'bad-password', 'ambiguous-user']);
    for (const secret of [pw.dave!, pw.dup!, 'wrong-password']) assert.ok(!lines.some((l) => l.includes(secret)), 'no password in the log');
  });

  it('refuses filter-injection names without a match (A3), and the escaping alone also holds', async () => {
    for (const name of ['*', '*)(uid=*', 'a)(|(objectClass=*)', '\\00', 'ali*', 'o*brien', 'a(b)']) {
      assert.deepEqual(await connector.login(name, pw.alice!), INVALID, name);
    }
    const session = new LdapSession(connector.serverOptions());
    try {
      const base = 'dc=example,dc=com';
      const escaped = (u: string) => session.search(base, renderFilter('(uid={{username}})', { username: u }), ['uid']);
      assert.equal((await session.search(base, '(uid=ali*)', ['uid'])).length, 1, 'unescaped, ali* would match alice');
      assert.equal((await escaped('ali*')).length, 0);
      assert.equal((await escaped('*)(uid=*')).length, 0);
      assert.deepEqual((await escaped('o*brien')).map((e) => e.dn), ['uid=o*brien,ou=people,dc=example,dc=com']);
      assert.deepEqual((await escaped('a(b)')).map((e) => e.dn), ['uid=a(b),ou=people,dc=example,dc=com']);
    } finally {
      session.destroy();
    }
  });

  it('is unavailable (not a bad password) when the service account is refused', async () => {
    const c = open(slapd.settings({ bindCredentials: 'not-the-service-password' }), silentLogger);
    const result = await c.login('alice', pw.alice!);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'unavailable');
    assert.equal(await c.ping(), false);
  });

  it('ldaps:// with the CA configured signs in; without it, the self-signed certificate is refused (A7)', async () => {
    const trusted = open(slapd.settings({ url: slapd.ldapsUrl, tlsOptions: { ca: [slapd.caFile] } }), silentLogger);
    assert.equal((await trusted.login('alice', pw.alice!)).ok, true);
    assert.equal(await trusted.ping(), true);
    const untrusted = open(slapd.settings({ url: slapd.ldapsUrl }), silentLogger);
    const result = await untrusted.login('alice', pw.alice!);
    assert.ok(!result.ok && result.reason === 'unavailable');
    assert.equal(await untrusted.ping(), false);
  });

  it('StartTLS with the CA signs in; an untrusted certificate is unavailable, never clear text', async () => {
    const trusted = open(slapd.settings({ starttls: true, tlsOptions: { ca: [slapd.caFile] } }), silentLogger);
    assert.equal((await trusted.login('alice', pw.alice!)).ok, true);
    assert.equal(await trusted.ping(), true);
    const untrusted = open(slapd.settings({ starttls: true }), silentLogger);
    const result = await untrusted.login('alice', pw.alice!);
    assert.ok(!result.ok && result.reason === 'unavailable');
  });

  it('currentGroups (service account, one connection): the same groups as a sign-in, nested included; undefined for unknown or ambiguous names', async () => {
    assert.deepEqual(await connector.currentGroups('alice'), [G('developers'), G('engineering'), G('staff')]);
    assert.deepEqual([...(await connector.currentGroups('bob'))!].sort(), [G('admins'), G('staff')]);
    assert.equal(await connector.currentGroups('nobody-here'), undefined);
    assert.equal(await connector.currentGroups('dup'), undefined, 'two entries: ambiguous');
    assert.equal(await connector.currentGroups('a*'), undefined, 'a metacharacter is refused before any search');
    const starttls = open(slapd.settings({ starttls: true, tlsOptions: { ca: [slapd.caFile] } }), silentLogger);
    assert.deepEqual(await starttls.currentGroups('alice'), [G('developers'), G('engineering'), G('staff')]);
    await assert.rejects(open(slapd.settings({ starttls: true }), silentLogger).currentGroups('alice'), { name: 'DirectoryUnavailable' }, 'an untrusted certificate is unavailable');
    await assert.rejects(open(slapd.settings({ bindCredentials: 'not-the-service-password' }), silentLogger).currentGroups('alice'), { name: 'DirectoryUnavailable' });
  });

  it('completes 20 concurrent logins (no hung callbacks)', async () => {
    const attempts = Array.from({ length: 20 }, (_, i) => connector.login(i % 2 ? 'alice' : 'bob', i % 4 === 3 ? 'wrong' : i % 2 ? pw.alice! : pw.bob!));
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('logins hung')), 10_000)));
    const results = await Promise.race([Promise.all(attempts), hung]).finally(() => clearTimeout(timer));
    assert.equal(results.filter((r) => r.ok).length, 15);
    assert.equal(results.filter((r) => !r.ok && r.reason === 'invalid-credentials').length, 5);
  });

  it('recovers without a restart when slapd comes back (F1)', async () => {
    const c = open(slapd.settings({ timeoutMs: 1000 }), silentLogger);
    await slapd.stop();
    try {
      const down = await c.login('alice', pw.alice!);
      assert.ok(!down.ok && down.reason === 'unavailable');
      assert.equal(await c.ping(), false);
    } finally {
      await slapd.start();
    }
    assert.equal((await c.login('alice', pw.alice!)).ok, true);
    assert.equal(await c.ping(), true);
  });
});
