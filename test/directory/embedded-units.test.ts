/**
 * The demo directory's parts: the LDIF reader, the in-memory tree (filters, projection,
 * memberOf, nesting) and the logins file.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEMO_LDIF } from '../../src/directory/embedded/index.js';
import { parseLdif } from '../../src/directory/embedded/ldif.js';
import { loadOrCreateLogins, readablePassword } from '../../src/directory/embedded/logins.js';
import { DemoTree } from '../../src/directory/embedded/tree.js';
import { ldapjs } from '../../src/directory/ldapjs.js';
import { decodeFilterValue } from '../../src/directory/wire-filter.js';

const LDIF = `version: 1
# a comment
dn: dc=x
objectClass: dcObject
dc: x

dn: ou=people,dc=x
objectClass: organizationalUnit

dn: uid=ann,ou=people,dc=x
objectClass: inetOrgPerson
uid: ann
cn: Ann
  Smith
description:: w6lsw6h2ZQ==
mail: ann@x.example

dn: cn=team,dc=x
objectClass: groupOfNames
member: UID=Ann, OU=People, DC=x

dn: cn=all,dc=x
objectClass: groupOfNames
member: cn=team,dc=x
`;

/** A filter as the server receives it (values raw, as decoded from BER). */
function filter(text: string) {
  const f = ldapjs.parseFilter(text);
  const decode = (n: typeof f): void => {
    n.clauses?.forEach(decode);
    if (typeof n.value === 'string') n.value = decodeFilterValue(n.value).toString();
  };
  decode(f);
  return f;
}

describe('parseLdif', () => {
  it('reads records, folded lines, base64 values and comments', () => {
    const records = parseLdif(LDIF);
    assert.equal(records.length, 5);
    const ann = records[2]!;
    assert.equal(ann.dn, 'uid=ann,ou=people,dc=x');
    assert.deepEqual(ann.attributes.get('cn'), ['Ann Smith']);
    assert.deepEqual(ann.attributes.get('description'), ['élève']);
  });
  it('refuses malformed input naming the line', () => {
    assert.throws(() => parseLdif('cn: x\n'), /line 1: a record must start with "dn:"/);
    assert.throws(() => parseLdif('dn: dc=x\nchangetype: add\n'), /line 2: change records/);
    assert.throws(() => parseLdif('dn: dc=x\nno colon here\n'), /line 2: expected/);
    assert.throws(() => parseLdif('dn: dc=x\njpegPhoto:< file:///etc/passwd\n'), /URL values/);
  });
  it('the shipped demo LDIF holds no passwords', () => {
    const text = readFileSync(DEMO_LDIF, 'utf8');
    assert.doesNotMatch(text, /userPassword/i);
    assert.ok(parseLdif(text).length >= 10);
  });
});

describe('DemoTree', () => {
  const tree = new DemoTree(parseLdif(LDIF));
  const ann = tree.get('UID=ann,OU=people,DC=x')!;
  it('computes memberOf (direct) and nested groups (normalised)', () => {
    assert.deepEqual(tree.values(ann, 'memberOf'), ['cn=team,dc=x']);
    assert.deepEqual(tree.groupsOf(ann.dn), ['cn=team,dc=x', 'cn=all,dc=x']);
  });
  it('evaluates equality (case-insensitive, DN-aware), presence, substrings, and/or/not', () => {
    const yes = ['(uid=ANN)', '(member=uid=ann,ou=people,dc=x)', '(mail=*)', '(cn=a*smith)', '(cn=*nn*mi*)', '(&(uid=ann)(objectClass=INETORGPERSON))', '(|(uid=bob)(uid=ann))', '(!(uid=bob))', '(memberOf=CN=Team, DC=x)'];
    const no = ['(uid=an)', '(uid=ann*x)', '(uid=o\\2abrien)', '(!(uid=ann))', '(&(uid=ann)(uid=bob))', '(cn=*x*)', '(uid>=a)', '(userPassword=*)'];
    const target = (f: string) => (f.includes('member=') ? tree.get('cn=team,dc=x')! : ann);
    for (const f of yes) assert.ok(tree.matches(filter(f), target(f)), f);
    for (const f of no) assert.ok(!tree.matches(filter(f), ann), f);
  });
  it('searches by scope', () => {
    const all = filter('(objectClass=*)');
    assert.equal(tree.search('dc=x', 'base', all).length, 1);
    assert.equal(tree.search('dc=x', 'one', all).length, 3);
    assert.equal(tree.search('dc=x', 'sub', all).length, 5);
    assert.equal(tree.search('ou=people,dc=x', 'sub', filter('(uid=ann)')).length, 1);
  });
  it('projects attributes: operational memberOf only by name, 1.1 for none', () => {
    assert.deepEqual(Object.keys(tree.project(ann, [])).sort(), ['cn', 'description', 'mail', 'objectClass', 'uid']);
    assert.deepEqual(Object.keys(tree.project(ann, ['*', 'memberOf'])).sort(), ['cn', 'description', 'mail', 'memberOf', 'objectClass', 'uid']);
    assert.deepEqual(tree.project(ann, ['UID', 'userPassword']), { uid: ['ann'] });
    assert.deepEqual(tree.project(ann, ['1.1']), {});
  });
  it('refuses an LDIF with userPassword or an orphan entry', () => {
    assert.throws(() => new DemoTree(parseLdif('dn: dc=x\ndc: x\n\ndn: uid=a,dc=x\nuserPassword: p\n')), /userPassword does not belong/);
    assert.throws(() => new DemoTree(parseLdif('dn: dc=x\ndc: x\n\ndn: uid=a,ou=missing,dc=x\nuid: a\n')), /parent entry missing/);
  });
});

describe('demo logins file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logins-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const people = [
    { username: 'ada', groups: ['cn=admins,ou=groups,dc=example,dc=com'] },
    { username: 'grace', groups: [] },
  ];

  it('makes readable passwords from the injected randomness', () => {
    assert.equal(readablePassword(() => 0), 'aaaa-aaaa-aaaa');
    let i = 0;
    assert.match(readablePassword(() => i++ % 31), /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });

  it('generates at first start (mode 0600), then reuses; new people get new passwords', () => {
    const first = loadOrCreateLogins(join(dir, 'data'), people, (n) => Math.floor(Math.random() * n));
    assert.equal(first.generated, true);
    assert.equal(statSync(first.file).mode & 0o777, 0o600);
    const text = readFileSync(first.file, 'utf8');
    for (const l of first.logins) assert.ok(text.includes(`${l.password}`));
    assert.match(text, /DEMO ONLY/);
    const again = loadOrCreateLogins(join(dir, 'data'), people, () => 0);
    assert.equal(again.generated, false);
    assert.deepEqual(again.logins, first.logins);
    const more = loadOrCreateLogins(join(dir, 'data'), [...people, { username: 'linus', groups: [] }], () => 0);
    assert.equal(more.generated, true);
    assert.deepEqual(more.logins.slice(0, 2), first.logins);
    assert.equal(more.logins[2]!.password, 'aaaa-aaaa-aaaa');
  });

  it('tightens a loosened mode and regenerates after the file is deleted', () => {
    const file = join(dir, 'data', 'demo-logins.txt');
    chmodSync(file, 0o644);
    loadOrCreateLogins(join(dir, 'data'), people, () => 0);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    rmSync(file);
    assert.equal(existsSync(file), false);
    writeFileSync(join(dir, 'unrelated'), '');
    assert.equal(loadOrCreateLogins(join(dir, 'data'), people, () => 1).generated, true);
  });
});
