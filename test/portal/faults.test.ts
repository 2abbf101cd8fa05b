/**
 * SECURITY.md F1 through the portal: the directory (slapd behind a TCP relay, `timeoutMs: 1000`)
 * goes silent (accepts connections, never answers) or down (connection refused, slapd stopped):
 * the sign-in form and the API answer 503 "directory unavailable" within the deadline, issue
 * nothing, never count it as a bad password; /healthz stays fast meanwhile; /readyz reports it;
 * and sign-in works again without a restart once the directory is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { READINESS_CACHE_MS } from '../../src/http/readiness.js';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { apiCredentials, cookies, csrfIn, hostPort, portalEnv, signedIn, startRelay, text, type PortalEnv, type Relay } from './helpers.js';

const skip = slapdSkip();
const TIMEOUT_MS = 1000;
/** Slack over the deadline for the rest of the request (rendering, scheduling on a busy host). */
const SLACK_MS = 750;

/** /readyz answers `status` within its cache window (READINESS_CACHE_MS, SECURITY H6) plus a probe. */
async function readyzBecomes(url: string, status: number): Promise<void> {
  const until = performance.now() + READINESS_CACHE_MS + TIMEOUT_MS + SLACK_MS;
  let last = 0;
  do {
    last = (await supertest(url).get('/readyz')).status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 100));
  } while (performance.now() < until);
  assert.equal(last, status, `/readyz within the cache window`);
}

describe('directory down or silent (SECURITY F1)', { skip }, () => {
  let slapd: Slapd;
  let relay: Relay;
  let env: PortalEnv;
  let url: string;

  before(async () => {
    slapd = await startSlapd();
    relay = await startRelay(hostPort(slapd.url));
    env = await portalEnv(slapd, { directoryUrl: relay.url, directory: { timeoutMs: TIMEOUT_MS } });
    url = env.gh.url;
  });
  after(async () => {
    await env?.close();
    await relay?.close();
    await slapd?.cleanup();
  });

  /** A sign-in through the form, timed; asserts the 503 page and that no session came of it. */
  async function unavailable(why: string, maxMs: number): Promise<number> {
    const agent = supertest.agent(url);
    const form = await agent.get('/portal/');
    const before = cookies(form)[0]!.split(';')[0];
    const token = csrfIn(form.text)!;
    const t0 = performance.now();
    const r = await agent.post('/portal/login').type('form').send({ _csrf: token, username: 'alice', password: slapd.passwords.alice! });
    const ms = performance.now() - t0;
    assert.equal(r.status, 503, `${why}: ${r.status}`);
    assert.match(text(r.text), /The directory is unavailable/);
    assert.match(text(r.text), /no credentials were issued/);
    assert.doesNotMatch(text(r.text), /incorrect/, 'never a bad password');
    assert.equal(r.headers.location, undefined);
    const same = (c: string) => c.split(';')[0] === before;
    assert.ok(cookies(r).every(same), 'no new session (at most the anonymous one, rolled)');
    assert.ok(ms < maxMs, `${why}: answered in ${Math.round(ms)} ms (limit ${maxMs})`);
    assert.doesNotMatch((await agent.get('/portal/')).text, /Your permission sets/);
    return ms;
  }

  it('works before the fault', async () => {
    assert.deepEqual((await signedIn(url, 'alice', slapd.passwords.alice!)).sets, ['Developer', 'Engineering', 'Staff']);
    assert.equal((await supertest(url).get('/readyz')).status, 200);
  });

  it('silent (accepts, never answers): 503 within timeoutMs for the form and the API; /healthz stays fast meanwhile', async () => {
    relay.mode('silent');
    const healthz: number[] = [];
    const probe = (async () => {
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        assert.equal((await supertest(url).get('/healthz')).status, 200);
        healthz.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const ms = await unavailable('silent', TIMEOUT_MS + SLACK_MS);
    assert.ok(ms >= TIMEOUT_MS - 50, `it waited for the deadline (${Math.round(ms)} ms)`);
    await probe;
    assert.ok(Math.max(...healthz) < 200, `/healthz answered in ${healthz.map(Math.round).join(', ')} ms while sign-in hung`);
    const t0 = performance.now();
    const api = await apiCredentials(url, { username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });
    assert.equal(api.status, 503);
    assert.deepEqual(api.body, { code: 'ServiceUnavailable', message: 'The directory is unavailable.' });
    assert.ok(performance.now() - t0 < TIMEOUT_MS + SLACK_MS);
    await readyzBecomes(url, 503); // not ready while the directory is silent
  });

  it('an outage is never counted as a bad password: after 6 failed-by-outage sign-ins the account still signs in', async () => {
    await relay.down();
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 6; i++) statuses.push((await apiCredentials(url, { username: 'bob', password: slapd.passwords.bob!, permissionSet: 'Admin' })).status);
    } finally {
      await relay.up();
      relay.mode('forward');
    }
    assert.deepEqual(statuses, [503, 503, 503, 503, 503, 503]);
    const ok = await apiCredentials(url, { username: 'bob', password: slapd.passwords.bob!, permissionSet: 'Admin' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  let slapdStopped = false;
  it('down (connection refused): 503 at once; and slapd stopped behind the relay: 503', async () => {
    await relay.down();
    try {
      await unavailable('connection refused', TIMEOUT_MS);
    } finally {
      await relay.up();
      relay.mode('forward');
    }
    await slapd.stop();
    slapdStopped = true;
    await unavailable('slapd stopped', TIMEOUT_MS + SLACK_MS);
    const api = await apiCredentials(url, { username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });
    assert.equal(api.status, 503);
    await readyzBecomes(url, 503);
  });

  it('recovers without a restart', async () => {
    relay.mode('forward');
    if (slapdStopped) await slapd.start();
    assert.deepEqual((await signedIn(url, 'alice', slapd.passwords.alice!)).sets, ['Developer', 'Engineering', 'Staff']);
    const api = await apiCredentials(url, { username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });
    assert.equal(api.status, 200);
    await readyzBecomes(url, 200);
  });
});
