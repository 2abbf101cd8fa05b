/**
 * Issue 12 item 10, on a real slapd: a permission set's bare CN matches only groups under
 * `groupSearchBase`; a full DN matches exactly that DN. mallory is in `cn=admins,ou=elsewhere`
 * (reached through `memberOf` only, outside `groupSearchBase`); bob is in
 * `cn=admins,ou=groups`. The portal's `Admin` set names the bare CN `admins`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { LdapConnector, groupMatches } from '../../src/directory/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { portalEnv, signedIn, type PortalEnv } from '../portal/helpers.js';
import { SUFFIX, slapdSkip, startSlapd, type Slapd } from '../support/slapd.js';

const skip = slapdSkip();
const ELSEWHERE = `cn=admins,ou=elsewhere,${SUFFIX}`;

describe('a bare CN matches only under groupSearchBase (slapd)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let connector: LdapConnector;
  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd);
    connector = new LdapConnector(slapd.settings(), silentLogger);
  });
  after(async () => {
    await connector?.close();
    await env?.close();
    await slapd?.cleanup();
  });

  it('mallory really has a group called admins, through memberOf (the test can fail)', async () => {
    const result = await connector.login('mallory', slapd.passwords.mallory!);
    assert.ok(result.ok);
    assert.deepEqual(result.user.groups, [ELSEWHERE]);
    const base = slapd.settings().groupSearchBase;
    assert.ok(!groupMatches(result.user.groups, 'admins', base), 'bare CN: not outside the base');
    assert.ok(groupMatches(result.user.groups, ELSEWHERE, base), 'full DN: exactly that DN');
    assert.ok(!groupMatches(result.user.groups, `cn=admins,ou=groups,${SUFFIX}`, base));
  });

  it('the portal shows mallory no Admin set; bob (admins under ou=groups) gets it', async () => {
    const mallory = await signedIn(env.gh.url, 'mallory', slapd.passwords.mallory!);
    assert.deepEqual(mallory.sets, []);
    const bob = await signedIn(env.gh.url, 'bob', slapd.passwords.bob!);
    assert.ok(bob.sets.includes('Admin'));
  });

  it('the API refuses mallory the Admin set (403), and mints it for bob', async () => {
    const api = (username: string, password: string) =>
      supertest(env.gh.url).post('/portal/api/credentials').type('json').send({ username, password, permissionSet: 'Admin' });
    const refused = await api('mallory', slapd.passwords.mallory!);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'AccessDenied');
    assert.equal(refused.body.AccessKeyId, undefined);
    const minted = await api('bob', slapd.passwords.bob!);
    assert.equal(minted.status, 200, JSON.stringify(minted.body));
    assert.match(minted.body.AccessKeyId, /^ASIA/);
  });
});
