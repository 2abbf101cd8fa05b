/**
 * The `directory:` config keys of issue 14: the `kind` preset (an AD admin writes four lines),
 * `starttls`, `tlsOptions.servername`, `usernameAttribute`, `tokenGroups`; each error names its key.
 * And the binary AD attributes (objectGUID, SIDs) as text.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { DIRECTORY_PRESETS } from '../../src/config/directory.js';
import { formatGuid, formatSid, sidFilterValue } from '../../src/directory/binary.js';
import { decodeFilterValue } from '../../src/directory/wire-filter.js';
import { tempDir } from '../support/files.js';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;
const load = (yaml: string) => loadConfig({ file: tmp.write(`d${n++}.yaml`, yaml), env: {}, cwd: tmp.dir });
function refusal(yaml: string): string {
  try {
    load(yaml);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail(`accepted:\n${yaml}`);
}
const AD = ['directory:', '  kind: activeDirectory', '  url: "ldaps://dc1.corp.example.test"', '  bindDN: "CN=svc-gatehouse,CN=Users,DC=corp,DC=example,DC=test"', '  bindCredentials: "x"', '  searchBase: "DC=corp,DC=example,DC=test"'];

describe('directory.kind presets', () => {
  it('openldap is the default and keeps the old defaults', () => {
    const d = load('{}').directory;
    assert.equal(d.kind, 'openldap');
    assert.equal(d.searchFilter, '(uid={{username}})');
    assert.equal(d.searchBase, 'ou=people,dc=example,dc=com');
    assert.equal(d.groupSearchBase, 'ou=groups,dc=example,dc=com');
    assert.equal(d.groupSearchFilter, '(member={{dn}})');
    assert.equal(d.tokenGroups, false);
    assert.equal(d.starttls, false);
    assert.equal(d.usernameAttribute, undefined);
  });
  it('activeDirectory fills in the filters from four lines: UPN or sAMAccountName, groups under searchBase, tokenGroups', () => {
    const d = load(AD.join('\n')).directory;
    assert.equal(d.searchFilter, '(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={{username}})(userPrincipalName={{username}})))');
    assert.equal(d.groupSearchBase, 'DC=corp,DC=example,DC=test');
    assert.equal(d.groupSearchFilter, DIRECTORY_PRESETS.activeDirectory.groupSearchFilter);
    assert.equal(d.usernameAttribute, 'sAMAccountName');
    assert.equal(d.tokenGroups, true);
  });
  it('keys given explicitly win over the preset', () => {
    const d = load([...AD, '  searchFilter: "(sAMAccountName={{username}})"', '  groupSearchBase: "OU=Groups,DC=corp,DC=example,DC=test"', '  tokenGroups: false'].join('\n')).directory;
    assert.equal(d.searchFilter, '(sAMAccountName={{username}})');
    assert.equal(d.groupSearchBase, 'OU=Groups,DC=corp,DC=example,DC=test');
    assert.equal(d.tokenGroups, false);
  });
  it('refuses, naming the key: AD without searchBase, an unknown kind, tokenGroups outside AD', () => {
    assert.match(refusal(AD.slice(0, 5).join('\n')), /directory\.searchBase: required with kind "activeDirectory"/);
    assert.match(refusal('directory: { kind: novell }'), /^config: directory\.kind: /);
    assert.match(refusal('directory: { tokenGroups: true }'), /^config: directory\.tokenGroups: only with kind "activeDirectory"/);
    assert.match(refusal('directory: { usernameAttribute: "a b" }'), /^config: directory\.usernameAttribute: expected an attribute name/);
  });
});

describe('directory.starttls and directory.tlsOptions.servername', () => {
  it('accepts starttls on ldap:// and servername', () => {
    const d = load('directory: { url: "ldap://127.0.0.1:389", bindDN: "cn=s", bindCredentials: "x", starttls: true, tlsOptions: { servername: "dc1.corp.example.test" } }').directory;
    assert.equal(d.starttls, true);
    assert.equal(d.tlsOptions?.servername, 'dc1.corp.example.test');
  });
  it('refuses, naming the key: starttls with ldaps://, a non-boolean, a bad servername', () => {
    assert.match(refusal('directory: { url: "ldaps://dc1", bindDN: "cn=s", bindCredentials: "x", starttls: true }'), /^config: directory\.starttls: not with an ldaps:\/\/ URL/);
    assert.match(refusal('directory: { starttls: "yes" }'), /^config: directory\.starttls: /);
    assert.match(refusal('directory: { tlsOptions: { servername: "dc1 corp" } }'), /^config: directory\.tlsOptions\.servername: expected a DNS name/);
  });
});

describe('AD binary attributes', () => {
  it('objectGUID as AD shows it (first three fields little-endian)', () => {
    const bytes = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    assert.equal(formatGuid(bytes), '33221100-5544-7766-8899-aabbccddeeff');
    assert.equal(formatGuid(Buffer.alloc(15)), undefined);
  });
  it('SIDs: binary to S-1-5-… and back into an escaped filter value', () => {
    const sid = 'S-1-5-21-3623811015-3361044348-30300820-1013';
    const value = sidFilterValue(sid)!;
    assert.match(value, /^(\\[0-9a-f]{2})+$/);
    assert.equal(formatSid(decodeFilterValue(value)), sid);
    assert.equal(formatSid(decodeFilterValue(sidFilterValue('S-1-5-32-544')!)), 'S-1-5-32-544');
    assert.equal(sidFilterValue('S-1-5-x'), undefined);
    assert.equal(formatSid(Buffer.alloc(9)), undefined);
  });
});

describe('the plain-ldap:// warning', () => {
  it('is given for ldap:// without StartTLS, not with it', async () => {
    const { configWarnings } = await import('../../src/config/warnings.js');
    const plain = load('directory: { url: "ldap://dc1", bindDN: "cn=s", bindCredentials: "x" }');
    assert.ok(configWarnings(plain).some((w) => w.startsWith('directory.url uses plain ldap://')));
    const tls = load('directory: { url: "ldap://dc1", bindDN: "cn=s", bindCredentials: "x", starttls: true }');
    assert.ok(!configWarnings(tls).some((w) => w.startsWith('directory.url uses plain ldap://')));
  });
});
