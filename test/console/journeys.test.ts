/**
 * Timeout re-login journeys in a real browser (issue 11): Playwright (playwright-core) driving
 * Debian's /usr/bin/chromium against Gatehouse on its defaults (the embedded demo directory),
 * with the server on a frozen clock that the test moves:
 * - the idle tab after expiry: the console session (Admin, 1 h) ends while the tab sits idle;
 *   the browser drops the console cookie with it; the next click shows the 401 page;
 * - the server restarted past the session's end: a new process-equivalent (a new app instance
 *   on the same data directory and port) 13 h later, the session row swept;
 * - a revoked role: "revoke active sessions" on the role (Deny * for older tokens).
 * In each case one click goes back to the portal (the Issuer, with the set focused), and one
 * click ("Reopen console") opens the console again; when the portal session itself ended in
 * the meantime, signing in again sits between the two and returns to the same set.
 * The browser's own clock cannot be frozen for cookie expiry, so where the real browser would
 * drop the expired console cookie, the test removes it (`clearCookies({ name })`).
 * No CSP violation may occur. Without chromium the test is skipped, except with CI=true.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FixedClock } from '../../src/shared/clock.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { rawDatabase } from '../support/sqlite.js';
import { clientsAt, deny, doc } from '../sts/helpers.js';
import { demoLogins } from '../portal/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium); skipped outside CI` : false;

describe('timeout re-login journeys in chromium', { skip }, () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'data');
  let gh: TestGatehouse;
  let port: string;
  let context: BrowserContext;
  const cspViolations: string[] = [];

  before(async () => {
    gh = await startGatehouse({ clock, dataDir });
    port = new URL(gh.url).port;
    context = await chromium.launchPersistentContext(join(tmp.dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 800 } });
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });
  after(async () => {
    await context?.close();
    await gh?.server.close();
    tmp.cleanup();
  });

  const password = (user: string) => demoLogins(dataDir).get(user)!;

  /** A fresh browser state (no cookies) and a page signed in to the portal as `user`. */
  async function signedInPage(user: string): Promise<Page> {
    await context.clearCookies();
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${gh.url}/portal/`);
    await page.fill('#username', user);
    await page.fill('#password', password(user));
    await Promise.all([page.waitForURL(`${gh.url}/portal/`), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'Your permission sets');
    return page;
  }

  async function openConsole(page: Page, set: string, arn: string): Promise<void> {
    await Promise.all([page.waitForURL(`${gh.url}/console/`), page.locator(`#set-${set}`).getByRole('button', { name: /^(Open|Reopen) console$/ }).click()]);
    assert.equal((await page.textContent('header.top .who'))?.trim(), arn);
  }

  /** The 401 page: its heading, and the one link back to the Issuer (the set on the portal). */
  async function timeoutPage(page: Page, heading: string, set: string): Promise<void> {
    assert.equal(await page.textContent('h1'), heading);
    const back = page.getByRole('link', { name: /^Return to / });
    assert.equal(await back.getAttribute('href'), `${gh.url}/portal/?set=${set}`);
  }

  /** One click back to the portal; sign in again if its session ended; one click reopens the console. */
  async function backAndReopen(page: Page, user: string, set: string, arn: string, portalAlive: boolean): Promise<void> {
    await Promise.all([page.waitForURL(`${gh.url}/portal/?set=${set}`), page.getByRole('link', { name: /^Return to / }).click()]);
    if (!portalAlive) {
      assert.equal(await page.textContent('h1'), 'Sign in to Gatehouse');
      assert.match((await page.textContent('main')) ?? '', new RegExp(`After signing in you will return to ${set}\\.`));
      await page.fill('#username', user);
      await page.fill('#password', password(user));
      await Promise.all([page.waitForURL(`${gh.url}/portal/?set=${set}`), page.click('button[type=submit]')]);
    }
    assert.equal(await page.textContent('h1'), 'Your permission sets');
    assert.ok(await page.locator(`#set-${set}.focus`).isVisible(), 'the set is focused');
    await Promise.all([page.waitForURL(`${gh.url}/console/`), page.locator(`#set-${set}`).getByRole('button', { name: 'Reopen console' }).click()]);
    assert.equal((await page.textContent('header.top .who'))?.trim(), arn);
  }

  it('the idle tab after expiry: the console cookie is gone, the 401 page leads back to the set', async () => {
    const arn = `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoAdmin/ada`;
    const page = await signedInPage('ada');
    await openConsole(page, 'Admin', arn);
    assert.equal(await page.getByRole('link', { name: 'Back to the portal' }).getAttribute('href'), `${gh.url}/portal/?set=Admin`);
    clock.advance(HOUR + MINUTE); // the tab sat idle past the Admin set's hour (and the portal's 30 idle minutes)
    await context.clearCookies({ name: 'gatehouse-console' }); // as the browser does when the cookie expires
    const [r] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/console/iam/users')), page.click('nav.side a[href="/console/iam/users"]')]);
    assert.equal(r.status(), 401);
    await timeoutPage(page, 'Your session has timed out', 'Admin');
    await backAndReopen(page, 'ada', 'Admin', arn, false);
    assert.deepEqual(cspViolations, []);
  });

  it('the server restarted past the session’s end (same data, 13 h later): the way back survives', async () => {
    const arn = `arn:aws:sts::${gh.accountId}:federated-user/grace`;
    const page = await signedInPage('grace');
    await openConsole(page, 'Developer', arn);
    await gh.server.close();
    clock.advance(13 * HOUR);
    // The session store's sweep, 13 h later (it runs on the wall clock, which cannot be moved).
    const db = rawDatabase(join(dataDir, 'sessions.db'));
    assert.ok(db.prepare('DELETE FROM sessions WHERE expires <= ?').run(clock.now()).changes >= 2, 'console and portal sessions swept');
    db.close();
    gh = await startGatehouse({ clock, dataDir, env: { PORT: port } });
    assert.equal(new URL(gh.url).port, port, 'the same address');
    // The browser still sends the console cookie (it would have expired after 8 h, like the previous case).
    const [r] = await Promise.all([page.waitForResponse((x) => new URL(x.url()).pathname === '/console/'), page.click('header.top a.brand')]);
    assert.equal(r.status(), 401);
    await timeoutPage(page, 'Your session has timed out', 'Developer');
    assert.match((await page.textContent('main')) ?? '', /the server no longer holds it/);
    await backAndReopen(page, 'grace', 'Developer', arn, false);
    assert.deepEqual(cspViolations, []);
  });

  it('a revoked role ("revoke active sessions"): the 401 page, one click to the portal, one click to reopen', async () => {
    const arn = `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoReadOnly/linus`;
    const page = await signedInPage('linus');
    await openConsole(page, 'ReadOnly', arn);
    clock.advance(2000);
    const cutoff = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const revoke = doc(deny('*', '*', { Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }));
    await clientsAt(gh, clock).iam().send(new PutRolePolicyCommand({ RoleName: 'GatehouseDemoReadOnly', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revoke }));
    clock.advance(2000);
    const [r] = await Promise.all([page.waitForResponse((x) => x.url().endsWith('/console/iam/roles')), page.click('nav.side a[href="/console/iam/roles"]')]);
    assert.equal(r.status(), 401);
    await timeoutPage(page, 'Your session has ended', 'ReadOnly');
    await backAndReopen(page, 'linus', 'ReadOnly', arn, true);
    await page.click('nav.side a[href="/console/iam/roles"]');
    assert.match((await page.content()) ?? '', /GatehouseDemoReadOnly/, 'the new session works');
    assert.deepEqual(cspViolations, []);
  });
});
