/**
 * SECURITY.md H9 through the portal, against slapd: nobody can lock a named person out with a
 * few bad passwords. Failures per (user name, client IP) block that pair only (429 with
 * Retry-After; the same person signs in from another address, by form or API); past the
 * per-name ceiling from all IPs the name is slowed (one attempt per slowDownSeconds, 429 with a
 * short Retry-After), not locked, and never where the name signed in before. No header tells the tries left. Client IPs come from
 * X-Forwarded-For with `server.trustProxy: loopback`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { csrf, portalEnv, type PortalEnv } from './helpers.js';

const skip = slapdSkip();

describe('portal sign-in limits (SECURITY H9)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  const from = async (ip: string, username: string, password: string) => {
    const agent = supertest.agent(env.gh.url);
    const token = await csrf(agent);
    return agent.post('/portal/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: token, username, password });
  };
  const api = (ip: string, username: string, password: string) =>
    supertest(env.gh.url).post('/portal/api/credentials').set('X-Forwarded-For', ip).send({ username, password, permissionSet: 'Developer' });
  const noCounters = (r: supertest.Response) => assert.deepEqual(Object.keys(r.headers).filter((h) => /ratelimit/i.test(h)), [], 'no header tells the tries left');

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { portal: { attemptsPerIp: 10_000, failuresPerAccount: 5, accountCeiling: 8, slowDownSeconds: 30 }, extra: { server: { trustProxy: 'loopback' } } });
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('5 failures from one IP block that IP for the name (form and API); the person signs in from another', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await from('198.51.100.7', 'alice', `wrong-${i}`);
      assert.equal(r.status, 401);
      noCounters(r);
    }
    const blocked = await from('198.51.100.7', 'Alice', slapd.passwords.alice!);
    assert.equal(blocked.status, 429, 'the right password from the blocked IP');
    noCounters(blocked);
    const wait = Number(blocked.headers['retry-after']);
    assert.ok(wait > 30 && wait <= 900, `Retry-After ${wait}`);
    assert.equal((await api('198.51.100.7', 'alice', slapd.passwords.alice!)).status, 429, 'the API shares the budget');
    const elsewhere = await from('203.0.113.9', 'alice', slapd.passwords.alice!);
    assert.equal(elsewhere.status, 303, 'not locked out everywhere');
    assert.equal((await api('203.0.113.10', 'alice', slapd.passwords.alice!)).status, 200);
  });

  it('past the ceiling (8 here) from many IPs the name is slowed to one attempt per 30 s, not locked; never where it signed in before', async () => {
    assert.equal((await from('203.0.113.50', 'bob', slapd.passwords.bob!)).status, 303, 'bob’s usual place');
    for (let i = 0; i < 8; i++) assert.equal((await from(`192.0.2.${i + 1}`, 'bob', 'wrong')).status, 401, `failure ${i + 1}`);
    assert.equal((await from('192.0.2.101', 'bob', 'wrong')).status, 401, 'one attempt goes through');
    const slowed = await from('192.0.2.102', 'bob', slapd.passwords.bob!);
    assert.equal(slowed.status, 429);
    noCounters(slowed);
    const wait = Number(slowed.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 30, `a short Retry-After: ${wait}`);
    assert.equal((await from('192.0.2.103', 'carol', slapd.passwords.carol!)).status, 303, 'other names are not slowed');
    assert.equal((await from('203.0.113.50', 'bob', 'wrong')).status, 401, 'a known place is not slowed');
    assert.equal((await from('203.0.113.50', 'bob', slapd.passwords.bob!)).status, 303);
  });
});
