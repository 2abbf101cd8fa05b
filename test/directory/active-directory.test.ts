/**
 * Active Directory, simulated with an ldapjs server that answers the way AD does (there is no AD
 * here): sAMAccountName login, the in-chain nested-group filter sent as is (no extra searches),
 * and bind refusals carrying AD sub-codes in the result's diagnostic message, all one generic
 * answer with the exact reason in the log. (test/directory/samba.test.ts does the same against a
 * real Samba AD DC.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LdapConnector, normalizeDn, type DirectorySettings } from '../../src/directory/index.js';
import { ldapjs, type LdapServer } from '../../src/directory/ldapjs.js';
import { captureLogger } from '../support/app.js';

const BASE = 'dc=corp,dc=example,dc=com';
const SERVICE = `cn=svc-gatehouse,ou=service accounts,${BASE}`;
const USER_DN = `cn=Doe\\, Jane,ou=users,${BASE}`;
const GROUPS = [`cn=AWS-Developers,ou=groups,${BASE}`, `cn=Engineering,ou=groups,${BASE}`];
const SUB_CODES: Record<string, string> = {
  '525': 'unknown-user',
  '52e': 'bad-password',
  '530': 'logon-hours',
  '531': 'logon-workstation',
  '532': 'password-expired',
  '533': 'account-disabled',
  '701': 'account-expired',
  '773': 'password-must-change',
  '775': 'account-locked',
  '5a9': 'directory-refused', // not a code we know: logged raw
};

describe('Active Directory configuration (simulated AD)', () => {
  let server: LdapServer;
  let settings: DirectorySettings;
  let subCode: string | undefined; // the refusal the next user bind gets
  const searches: Array<{ base: string; filter: string; type: string; value: string }> = [];
  const servicePassword = 'service-password-for-tests';

  before(async () => {
    server = ldapjs.createServer();
    server.bind(BASE, (req, res, next) => {
      const dn = req.dn.toString().toLowerCase().replace(/\s*([,=])\s*/g, '$1');
      if (dn === SERVICE.toLowerCase() && req.credentials === servicePassword) return (res.end(), next());
      if (subCode === undefined && req.credentials === 'right-password') return (res.end(), next());
      // As AD sends it: result 49, the sub-code in the diagnostic message (ldapjs's server sends
      // `diagnosticMessage`; an Error passed to next() would lose its text on the wire).
      const code = subCode ?? '52e';
      (res as unknown as { diagnosticMessage: string }).diagnosticMessage = `80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data ${code}, v3839`;
      res.end(49);
      return next();
    });
    server.search(BASE, (req, res, next) => {
      const f = req.filter;
      res.attributes = []; // send every attribute (ldapjs drops mixed-case requested names)
      searches.push({ base: req.dn.toString(), filter: f.toString(), type: f.type, value: String(f.clauses?.[1]?.value ?? f.value) });
      if (f.type === 'AndFilter') {
        const attributes = { sAMAccountName: ['jdoe'], cn: ['Doe, Jane'], displayName: ['Jane Doe'], mail: ['jdoe@corp.example.com'] };
        res.send({ dn: USER_DN, attributes });
      } else {
        for (const g of GROUPS) res.send({ dn: g, attributes: { cn: [g.slice(3, g.indexOf(','))] } });
      }
      res.end();
      return next();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    settings = {
      url: `ldap://127.0.0.1:${server.address().port}`,
      bindDN: SERVICE,
      bindCredentials: servicePassword,
      searchBase: BASE,
      searchFilter: '(&(objectCategory=person)(sAMAccountName={{username}}))',
      groupSearchBase: BASE,
      groupSearchFilter: '(member:1.2.840.113556.1.4.1941:={{dn}})',
      timeoutMs: 2000,
    };
  });
  const connectors: LdapConnector[] = [];
  const connector = (logger: ReturnType<typeof captureLogger>['logger']) => {
    const c = new LdapConnector(settings, logger);
    connectors.push(c);
    return c;
  };
  after(async () => {
    await Promise.all(connectors.map((c) => c.close()));
    server.close();
  });

  it('signs in by sAMAccountName; nested groups come from the in-chain filter in one search', async () => {
    searches.length = 0;
    subCode = undefined;
    const { logger } = captureLogger();
    const result = await connector(logger).login('jdoe', 'right-password');
    assert.ok(result.ok);
    const { dn, ...user } = result.user;
    assert.equal(normalizeDn(dn), normalizeDn(USER_DN)); // ldapjs's server re-escapes `\,` as `\2c`
    assert.deepEqual(user, { username: 'jdoe', displayName: 'Jane Doe', email: 'jdoe@corp.example.com', groups: GROUPS.map((g) => g.toLowerCase()) });
    assert.equal(searches.length, 2, 'user search and one group search; no nesting walk');
    assert.equal(searches[0]!.value, 'jdoe');
    assert.equal(searches[1]!.type, 'ExtensibleFilter');
    assert.equal(normalizeDn(searches[1]!.value), normalizeDn(USER_DN), 'the DN arrives raw, its escape intact');
    assert.match(searches[1]!.filter, /^\(member:1\.2\.840\.113556\.1\.4\.1941:=cn=Doe/);
  });

  for (const [code, reason] of Object.entries(SUB_CODES)) {
    it(`AD sub-code ${code}: the generic refusal, exactly "${reason}" in the log only`, async () => {
      subCode = code;
      const { logger, lines } = captureLogger();
      const result = await connector(logger).login('jdoe', 'some-password-canary');
      assert.deepEqual(result, { ok: false, reason: 'invalid-credentials' });
      const line = JSON.parse(lines.at(-1)!) as { outcome: string; reason: string; adCode: string };
      assert.equal(line.outcome, 'refused');
      assert.equal(line.reason, reason);
      assert.equal(line.adCode, code);
      assert.ok(!lines.some((l) => l.includes('some-password-canary')));
    });
  }
});
