/**
 * The Issuer round trip, on a frozen clock (the server and these tests share one FixedClock):
 * the console's timeout page links to `<portal>/?set=<Name>`; while the portal session lives,
 * one click on that set reopens the console; after the portal session's idle (30 min) or
 * absolute (8 h) timeout, signing in again (with `?set=` carried through the sign-in form)
 * returns to that permission set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { FixedClock } from '../../src/shared/clock.js';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { csrfIn, openConsole, portalEnv, signedIn, setsIn, text, type Agent, type PortalEnv } from './helpers.js';

const skip = slapdSkip();
const MINUTE = 60_000;

describe('the Issuer round trip after a console timeout', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let url: string;
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { clock });
    url = env.gh.url;
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  /** The console answers its 401 timeout page; returns the Issuer link's path (and asserts it). */
  async function consoleTimedOut(agent: Agent, set: string): Promise<string> {
    const r = await agent.get('/console/');
    assert.equal(r.status, 401);
    assert.match(text(r.text), /Your session has timed out/);
    const href = /<a class="button" href="([^"]+)">Return to/.exec(r.text)?.[1];
    assert.equal(href, `${url}/portal/?set=${set}`, 'the timeout page links to the portal, with the set');
    return new URL(href!).pathname + new URL(href!).search;
  }

  /** The home page with `set` focused offers a one-click reopen; click it and land in the console. */
  async function reopen(agent: Agent, link: string, set: string): Promise<void> {
    const home = await agent.get(link);
    assert.equal(home.status, 200);
    assert.ok(setsIn(home.text).includes(set));
    assert.match(home.text, new RegExp(`<section class="card focus" id="set-${set}">`), 'the set is focused');
    const form = new RegExp(`name="permissionSet" value="${set}">\\s*<button type="submit">Reopen console</button>`);
    assert.match(home.text, form, 'one button reopens the console');
    const { page } = await openConsole(agent, set, `${url}/console/`);
    assert.match(page.text, new RegExp(`federated-user/alice`));
  }

  /** Sign in again from the login page the Issuer link shows, keeping `?set=`. */
  async function signInAgain(agent: Agent, link: string, set: string): Promise<void> {
    const login = await agent.get(link);
    assert.equal(login.status, 200);
    assert.match(text(login.text), new RegExp(`After signing in you will return to ${set}\\.`));
    assert.match(login.text, new RegExp(`<input type="hidden" name="set" value="${set}">`));
    const r = await agent.post('/portal/login').type('form').send({ _csrf: csrfIn(login.text)!, set, username: 'alice', password: slapd.passwords.alice! });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, `/portal/?set=${set}`);
  }

  it('portal session alive: the timeout page’s link shows the set, and one click reopens the console', async () => {
    const { agent } = await signedIn(url, 'alice', slapd.passwords.alice!);
    await openConsole(agent, 'Developer', `${url}/console/`);
    // Keep using the portal (never idle for 30 minutes) while the 1-hour console session runs out.
    for (let i = 0; i < 3; i++) {
      clock.advance(25 * MINUTE);
      assert.match((await agent.get('/portal/')).text, /Your permission sets/);
    }
    const link = await consoleTimedOut(agent, 'Developer');
    await reopen(agent, link, 'Developer');
    // The reopened console is a fresh session on fresh credentials.
    assert.equal((await agent.get('/console/')).status, 200);
  });

  it('after the portal’s idle timeout (30 min): sign in again and land back on the set', async () => {
    const { agent } = await signedIn(url, 'alice', slapd.passwords.alice!);
    await openConsole(agent, 'Engineering', `${url}/console/`);
    clock.advance(29 * MINUTE);
    assert.match((await agent.get('/portal/')).text, /Your permission sets/, 'alive after 29 idle minutes');
    clock.advance(2 * 3600_000 + MINUTE); // past the 2-hour Engineering session, and 2 h idle
    const link = await consoleTimedOut(agent, 'Engineering');
    await signInAgain(agent, link, 'Engineering');
    await reopen(agent, link, 'Engineering');
  });

  it('after the portal’s absolute timeout (8 h), however active: sign in again and land back on the set', async () => {
    const { agent } = await signedIn(url, 'alice', slapd.passwords.alice!);
    await openConsole(agent, 'Developer', `${url}/console/`);
    const start = clock.now();
    while (clock.now() - start < 8 * 3600_000 - 20 * MINUTE) {
      clock.advance(20 * MINUTE);
      assert.match((await agent.get('/portal/')).text, /Your permission sets/, `alive after ${(clock.now() - start) / MINUTE} min`);
    }
    clock.advance(21 * MINUTE); // 8 h 01 min after sign-in, 21 min after the last request
    const link = await consoleTimedOut(agent, 'Developer');
    await signInAgain(agent, link, 'Developer');
    await reopen(agent, link, 'Developer');
  });

  it('a console opened from a stale portal page after the timeout: signing in returns to the set asked for', async () => {
    const { agent } = await signedIn(url, 'alice', slapd.passwords.alice!);
    const home = await agent.get('/portal/?set=Staff');
    clock.advance(31 * MINUTE);
    const r = await agent.post('/portal/console').type('form').send({ _csrf: csrfIn(home.text)!, permissionSet: 'Staff' });
    assert.equal(r.status, 401);
    assert.match(text(r.text), /Your portal session has ended/);
    assert.match(r.text, /<input type="hidden" name="set" value="Staff">/);
    const again = await agent.post('/portal/login').type('form').send({ _csrf: csrfIn(r.text)!, set: 'Staff', username: 'alice', password: slapd.passwords.alice! });
    assert.equal(again.status, 303);
    assert.equal(again.headers.location, '/portal/?set=Staff');
  });

  it('the Issuer is one the console trusts (the federation endpoint refuses another)', async () => {
    const { agent } = await signedIn(url, 'alice', slapd.passwords.alice!);
    const { federation } = await openConsole(agent, 'Developer', `${url}/console/`);
    assert.equal(federation.searchParams.get('Issuer'), `${url}/portal/?set=Developer`);
    // Same flow, a different Issuer: refused (and the token in hand is not spent on it).
    const r = await supertest(url).get('/federation').query({ Action: 'login', Issuer: 'https://evil.example/portal/?set=Developer', Destination: `${url}/console/`, SigninToken: 'x'.repeat(43) });
    assert.equal(r.status, 400);
  });
});
