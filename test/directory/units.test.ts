/**
 * Pure parts of the directory layer: input refusals, filter escaping, DN normalisation and group
 * matching, bind-error classification (AD sub-codes), config derivation (AD), deadlines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classifyUserBindError, adSubCode } from '../../src/directory/bind-errors.js';
import { checkCredentials } from '../../src/directory/credentials.js';
import { DeadlineExceeded, withDeadline } from '../../src/directory/deadline.js';
import { escapeFilterValue, isInChainFilter, renderFilter, usernameAttribute } from '../../src/directory/filter.js';
import { groupMatches, normalizeDn } from '../../src/directory/index.js';
import { isUnder } from '../../src/directory/dn.js';
import { decodeFilterValue, wireFilter } from '../../src/directory/wire-filter.js';
import { ldapAuthOptions, searchAttributes, tlsOptionsFor, type DirectorySettings } from '../../src/directory/options.js';

describe('checkCredentials (refusals before any bind)', () => {
  const refused: Array<[unknown, unknown, string]> = [
    [undefined, 'pw', 'username-missing'],
    [null, 'pw', 'username-missing'],
    [['alice'], 'pw', 'username-not-string'],
    [{ $ne: '' }, 'pw', 'username-not-string'],
    ['', 'pw', 'username-blank'],
    ['  \t', 'pw', 'username-blank'],
    ['a'.repeat(257), 'pw', 'username-too-long'],
    ['alice', undefined, 'password-missing'],
    ['alice', '', 'password-blank'],
    ['alice', ' ', 'password-blank'],
    ['alice', '\t\n ', 'password-blank'],
    ['alice', ['pw'], 'password-not-string'],
    ['alice', { x: 1 }, 'password-not-string'],
    ['alice', 42, 'password-not-string'],
    ['alice', 'p'.repeat(4097), 'password-too-long'],
  ];
  for (const [username, password, reason] of refused) {
    it(`refuses ${JSON.stringify(username)?.slice(0, 20)} / ${JSON.stringify(password)?.slice(0, 20)}: ${reason}`, () => {
      assert.deepEqual(checkCredentials(username, password), { ok: false, reason });
    });
  }
  for (const name of ['*', '*)(uid=*', 'a)(|(objectClass=*)', '\\00', 'ali*', 'a(b)', 'o*brien', 'x\0y', 'back\\slash']) {
    it(`refuses the username ${JSON.stringify(name)} (filter metacharacters)`, () => {
      assert.deepEqual(checkCredentials(name, 'pw'), { ok: false, reason: 'username-metacharacters' });
    });
  }
  it('passes ordinary names and passwords through unchanged (no trimming)', () => {
    assert.deepEqual(checkCredentials('alice.o-neil@example.com', ' pass word '), {
      ok: true,
      username: 'alice.o-neil@example.com',
      password: ' pass word ',
    });
  });
});

describe('RFC 4515 filter escaping', () => {
  it('escapes *, (, ), \\ and NUL in one pass', () => {
    assert.equal(escapeFilterValue('a*b(c)d\\e\0f'), 'a\\2ab\\28c\\29d\\5ce\\00f');
    assert.equal(escapeFilterValue('\\2a'), '\\5c2a');
    assert.equal(escapeFilterValue('plain name é'), 'plain name é');
  });
  it('renders templates with escaped values and leaves unknown placeholders', () => {
    assert.equal(renderFilter('(member={{dn}})', { dn: 'cn=Eve (Ops),ou=people' }), '(member=cn=Eve \\28Ops\\29,ou=people)');
    assert.equal(renderFilter('(uid={{username}})', { username: '*)(uid=*' }), '(uid=\\2a\\29\\28uid=\\2a)');
    assert.equal(renderFilter('(x={{other}})', {}), '(x={{other}})');
  });
  it('finds the login attribute of a user filter', () => {
    assert.equal(usernameAttribute('(uid={{username}})'), 'uid');
    assert.equal(usernameAttribute('(&(objectClass=user)(sAMAccountName={{username}}))'), 'sAMAccountName');
  });
});

describe('normalizeDn and groupMatches', () => {
  it('ignores case and spaces around = , and +', () => {
    const a = normalizeDn('CN=Developers , OU=Groups,DC=Example, DC=com');
    assert.equal(a, 'cn=developers,ou=groups,dc=example,dc=com');
    assert.equal(normalizeDn(' cn = a + uid = b ,dc=x'), normalizeDn('UID=b+CN=a,DC=X'));
  });
  it('treats \\, \\2C and \\2c alike, and keeps escaped commas inside a value', () => {
    const n = normalizeDn('cn=Smith\\, John,ou=People');
    assert.equal(n, 'cn=smith\\, john,ou=people');
    assert.equal(normalizeDn('cn=Smith\\2C John,ou=People'), n);
    assert.equal(normalizeDn('cn=Smith\\2c John,ou=People'), n);
    assert.notEqual(normalizeDn('cn=smith,cn=john,ou=people'), n);
  });
  it('keeps significant inner spaces and escaped edge spaces', () => {
    assert.equal(normalizeDn('cn=Eve  (Ops) ,dc=x'), 'cn=eve  (ops),dc=x');
    assert.equal(normalizeDn('cn=\\ lead,dc=x'), 'cn=\\ lead,dc=x');
  });
  it('decodes UTF-8 hex escapes', () => {
    assert.equal(normalizeDn('cn=Ren\\C3\\A9,dc=x'), normalizeDn('CN=René,DC=x'));
  });
  it('returns non-DNs trimmed and lower-cased', () => {
    assert.equal(normalizeDn('  Developers '), 'developers');
  });
  const groups = ['CN=Developers,OU=Groups,DC=Example,DC=com', 'cn=engineering,ou=groups,dc=example,dc=com'];
  const base = 'ou=groups,dc=example,dc=com';
  it('matches a configured DN regardless of case and spacing', () => {
    assert.ok(groupMatches(groups, 'cn=developers, ou=groups, dc=example, dc=com', base));
    assert.ok(!groupMatches(groups, 'cn=developers,ou=other,dc=example,dc=com', base));
  });
  it('matches a bare CN against the first RDN only', () => {
    assert.ok(groupMatches(groups, 'developers', base));
    assert.ok(groupMatches(groups, ' Engineering ', base));
    assert.ok(!groupMatches(groups, 'groups', base));
    assert.ok(!groupMatches(groups, 'example', base));
    assert.ok(!groupMatches(groups, '', base));
    assert.ok(!groupMatches([], 'developers', base));
  });
  it('matches a bare CN only under groupSearchBase; a full DN exactly, wherever it is (issue 12 item 10)', () => {
    const elsewhere = ['cn=admins,ou=elsewhere,dc=example,dc=com'];
    assert.ok(!groupMatches(elsewhere, 'admins', base));
    assert.ok(!groupMatches(elsewhere, 'admins', 'ou=else,dc=example,dc=com'), 'RDN by RDN, not a string suffix');
    assert.ok(groupMatches(elsewhere, 'admins', 'dc=example,dc=com'));
    assert.ok(groupMatches(elsewhere, 'admins', 'DC=Example, DC=Com'));
    assert.ok(!groupMatches(elsewhere, 'admins', undefined), 'no base: a bare CN matches nothing');
    assert.ok(groupMatches(elsewhere, 'cn=admins,ou=elsewhere,dc=example,dc=com', base));
    assert.ok(!groupMatches(['ou=groups,dc=example,dc=com'], 'groups', base), 'the base itself is not under itself');
  });
  it('isUnder compares RDN by RDN', () => {
    assert.ok(isUnder('cn=a,ou=groups,dc=x', 'OU=Groups,DC=X'));
    assert.ok(isUnder('cn=a,ou=sub,ou=groups,dc=x', 'ou=groups,dc=x'));
    assert.ok(!isUnder('cn=a,ou=xgroups,dc=x', 'ou=groups,dc=x'));
    assert.ok(!isUnder('ou=groups,dc=x', 'ou=groups,dc=x'));
    assert.ok(!isUnder('not a dn', 'ou=groups,dc=x'));
  });
});

describe('user bind errors', () => {
  const ad = (code: string) =>
    Object.assign(new Error(`80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data ${code}, v3839`), {
      name: 'InvalidCredentialsError',
      code: 49,
    });
  const expected: Record<string, string> = {
    '525': 'unknown-user',
    '52e': 'bad-password',
    '530': 'logon-hours',
    '531': 'logon-workstation',
    '532': 'password-expired',
    '533': 'account-disabled',
    '701': 'account-expired',
    '773': 'password-must-change',
    '775': 'account-locked',
  };
  for (const [code, reason] of Object.entries(expected)) {
    it(`AD sub-code ${code} is a refusal (${reason}), never a fault`, () => {
      assert.equal(adSubCode(ad(code)), code);
      assert.deepEqual(classifyUserBindError(ad(code)), { reason, adCode: code });
    });
  }
  it('an unknown AD sub-code is a refusal logged with the raw code', () => {
    assert.deepEqual(classifyUserBindError(ad('5a9')), { reason: 'directory-refused', adCode: '5a9' });
  });
  it('49 without a sub-code (OpenLDAP, ppolicy lock) is bad-password; 19 is account-locked', () => {
    assert.deepEqual(classifyUserBindError(Object.assign(new Error('Invalid Credentials'), { name: 'InvalidCredentialsError', code: 49 })), { reason: 'bad-password' });
    assert.deepEqual(classifyUserBindError(Object.assign(new Error('locked'), { name: 'ConstraintViolationError', code: 19 })), { reason: 'account-locked' });
  });
  it('other results and connection errors are faults', () => {
    assert.equal(classifyUserBindError(Object.assign(new Error('busy'), { name: 'BusyError', code: 51 })), undefined);
    assert.equal(classifyUserBindError(new Error('ECONNRESET')), undefined);
    assert.equal(classifyUserBindError(undefined), undefined);
  });
});

describe('options from the directory: block', () => {
  const base: DirectorySettings = {
    url: 'ldaps://dc1.corp.example.com:636',
    bindDN: 'CN=svc-gatehouse,OU=Service Accounts,DC=corp,DC=example,DC=com',
    bindCredentials: 'not-a-real-secret',
    searchBase: 'DC=corp,DC=example,DC=com',
    searchFilter: '(&(objectClass=user)(sAMAccountName={{username}}))',
    groupSearchBase: 'DC=corp,DC=example,DC=com',
    groupSearchFilter: '(member:1.2.840.113556.1.4.1941:={{dn}})',
    timeoutMs: 4000,
  };
  it('Active Directory: sAMAccountName login, in-chain nested groups, explicit attributes, no cache', () => {
    const o = ldapAuthOptions(base, tlsOptionsFor(base)) as unknown as Record<string, unknown>;
    assert.deepEqual(o.searchAttributes, ['uid', 'sAMAccountName', 'cn', 'displayName', 'mail', 'memberOf', 'objectGUID', 'entryUUID']);
    assert.ok(!(o.searchAttributes as string[]).some((a) => /password/i.test(a)));
    assert.equal(o.cache, false);
    assert.equal(o.reconnect, false);
    assert.equal(o.timeout, 4000);
    assert.equal(o.connectTimeout, 4000);
    assert.deepEqual(o.groupSearchAttributes, ['cn']);
    assert.ok(isInChainFilter(base.groupSearchFilter));
    const filter = (o.groupSearchFilter as (u: object) => string)({ dn: 'CN=Doe\\, Jane (IT),OU=Users,DC=corp,DC=example,DC=com', sAMAccountName: 'jdoe' });
    assert.equal(filter, '(member:1.2.840.113556.1.4.1941:=CN=Doe\\5c, Jane \\28IT\\29,OU=Users,DC=corp,DC=example,DC=com)');
  });
  it('adds a custom login attribute to the attribute list', () => {
    assert.deepEqual(searchAttributes('(employeeNumber={{username}})').at(-1), 'employeeNumber');
  });
  it('TLS always verifies and names the host; an unreadable CA file names the key', () => {
    const tls = tlsOptionsFor(base);
    assert.equal(tls.rejectUnauthorized, true);
    assert.equal(tls.servername, 'dc1.corp.example.com');
    assert.throws(() => tlsOptionsFor({ ...base, tlsOptions: { ca: ['/nonexistent/ca.pem'] } }), /directory\.tlsOptions\.ca\[0\]/);
  });
  it('tlsOptions.servername: the name a DC reached by IP must carry', () => {
    const byIp = { ...base, url: 'ldaps://10.0.0.5:636' };
    assert.equal(tlsOptionsFor(byIp).servername, undefined);
    assert.equal(tlsOptionsFor({ ...byIp, tlsOptions: { servername: 'dc1.corp.example.com' } }).servername, 'dc1.corp.example.com');
    assert.equal(tlsOptionsFor({ ...byIp, tlsOptions: { servername: 'dc1.corp.example.com' } }).host, '10.0.0.5');
  });
  it('tokenGroups: no group search left to ldapauth-fork; the login attribute is asked for', () => {
    const o = ldapAuthOptions({ ...base, tokenGroups: true, usernameAttribute: 'sAMAccountName' }, tlsOptionsFor(base)) as unknown as Record<string, unknown>;
    assert.equal(o.groupSearchFilter, undefined);
    assert.equal(o.groupSearchBase, undefined);
    assert.deepEqual(searchAttributes('(userPrincipalName={{username}})', 'sAMAccountName').filter((a) => /samaccountname|userprincipalname/i.test(a)), ['sAMAccountName', 'userPrincipalName']);
  });
});

describe('wireFilter (ldapjs 3 sends escapes undecoded; we decode them)', () => {
  it('decodes \\HH escapes into bytes and keeps other text as UTF-8', () => {
    assert.equal(decodeFilterValue('o\\2abrien').toString(), 'o*brien');
    assert.equal(decodeFilterValue('Ren\\c3\\a9 é').toString(), 'René é');
    assert.deepEqual([...decodeFilterValue('\\00')], [0]);
    assert.equal(decodeFilterValue('a\\zz\\').toString(), 'a\\zz\\', 'a backslash without two hex digits stands for itself');
    assert.equal(decodeFilterValue('\u{1F600}\\2a\u{1F600}').toString(), '\u{1F600}*\u{1F600}');
  });
  it('decoding the RFC 4515 escaping of any string gives back its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (raw) => {
        assert.deepEqual(decodeFilterValue(escapeFilterValue(raw)), Buffer.from(raw, 'utf8'));
      }),
      { numRuns: 300 },
    );
  });
  it('puts raw values in equality and extensible filters, nested in and/or/not', () => {
    const f = wireFilter('(&(member=CN=Doe\\5c, Jane \\28IT\\29,OU=Users)(!(uid=a\\2ab))(member:1.2.840.113556.1.4.1941:=CN=x\\5c,y))');
    const [member, not, chain] = f.clauses!;
    assert.equal(String(member!.value), 'CN=Doe\\, Jane (IT),OU=Users');
    assert.equal(String(not!.clauses![0]!.value), 'a*b');
    assert.equal(chain!.value, 'CN=x\\,y');
    assert.equal(member!.toString(), '(member=CN=Doe\\5c, Jane \\28IT\\29,OU=Users)');
  });
});

describe('withDeadline', () => {
  it('rejects with DeadlineExceeded and runs the clean-up when the work never settles', async () => {
    let cleaned = false;
    const started = Date.now();
    await assert.rejects(withDeadline('op', 50, new Promise(() => {}), () => (cleaned = true)), DeadlineExceeded);
    assert.ok(cleaned);
    assert.ok(Date.now() - started < 500);
  });
  it('passes results and errors through', async () => {
    assert.equal(await withDeadline('op', 1000, Promise.resolve(7)), 7);
    await assert.rejects(withDeadline('op', 1000, Promise.reject(new Error('boom'))), /boom/);
  });
});
