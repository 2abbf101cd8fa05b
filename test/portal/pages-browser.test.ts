/**
 * Portal pages in a real browser (playwright-core driving Debian's /usr/bin/chromium), on the
 * demo defaults, in a time zone that is not UTC:
 * - after a wrong password the sign-in form keeps the user name and focus is on the password;
 * - the CLI credentials page: gatehouse.js shows the expiry in the viewer's local time and
 *   "in 59 minutes", shows the copy buttons, and a click copies the block; no CSP violation;
 * - the README's screenshots of the newcomer path: the console as the portal's role session
 *   (docs/console-home.png) and the credentials page (docs/portal-credentials.png).
 * Without chromium the test is skipped, except with CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { demoLogins } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const DOCS = new URL('../../docs/', import.meta.url);
const CONSOLE_PNG = fileURLToPath(new URL('console-home.png', DOCS));
const CREDENTIALS_PNG = fileURLToPath(new URL('portal-credentials.png', DOCS));
const ZONE = 'Asia/Kolkata'; // UTC+05:30: local time differs from UTC in hours and minutes

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium); skipped outside CI` : false;

describe('portal pages in chromium', { skip }, () => {
  let gh: TestGatehouse;
  let context: BrowserContext;
  let logins: Map<string, string>;
  const profile = tempDir();
  const cspViolations: string[] = [];

  before(async () => {
    gh = await startGatehouse();
    logins = demoLogins(gh.server.config.dataDir);
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1200, height: 800 },
      timezoneId: ZONE,
      locale: 'en-GB',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });
  after(async () => {
    await context?.close();
    await gh?.close();
    profile.cleanup();
  });

  /** The focused element's id, once autofocus has run (it runs at a rendering update after load). */
  const focused = async (page: Page, expected: string) => {
    await page.waitForFunction((id) => document.activeElement?.id === id, expected, { timeout: 5000 }).catch(() => undefined);
    return page.evaluate(() => document.activeElement?.id ?? '');
  };

  const signIn = async (page: Page, user: string) => {
    await context.clearCookies(); // a fresh visitor
    await page.goto(`${gh.url}/portal/`);
    await page.fill('#username', user);
    await page.fill('#password', logins.get(user)!);
    await Promise.all([page.waitForURL(`${gh.url}/portal/`), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'Your permission sets');
  };

  it('after a wrong password, the user name is kept and focus is on the password field', async () => {
    const page = await context.newPage();
    await page.goto(`${gh.url}/portal/`);
    assert.equal(await focused(page, 'username'), 'username', 'a fresh form starts at the user name');
    await page.fill('#username', 'grace');
    await page.fill('#password', 'not-her-password');
    await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
    assert.match((await page.textContent('p.error')) ?? '', /The user name or password is incorrect\./);
    assert.equal(await page.inputValue('#username'), 'grace');
    assert.equal(await focused(page, 'password'), 'password');
    // Typing now goes to the password: signing in needs no click.
    await page.keyboard.type(logins.get('grace')!);
    await Promise.all([page.waitForURL(`${gh.url}/portal/`), page.keyboard.press('Enter')]);
    assert.equal(await page.textContent('h1'), 'Your permission sets');
    await page.close();
    assert.deepEqual(cspViolations, []);
  });

  it('the credentials page: local time, "in 59 minutes", copy buttons that copy; screenshots for the README', async () => {
    const page = await context.newPage();
    await signIn(page, 'ada');
    mkdirSync(fileURLToPath(DOCS), { recursive: true });

    // The newcomer path's console: the Admin set's role session, opened from the portal.
    await Promise.all([page.waitForURL(`${gh.url}/console/`), page.getByRole('button', { name: 'Open console' }).click()]);
    assert.equal((await page.textContent('header.top .who'))?.trim(), `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoAdmin/ada`);
    await page.screenshot({ path: CONSOLE_PNG });

    await page.goto(`${gh.url}/portal/`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Command-line credentials' }).click()]);
    assert.equal(await page.textContent('h1'), 'Credentials for Admin');

    const iso = (await page.getAttribute('#expires-at', 'datetime'))!;
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
    const shown = (await page.textContent('#expires-at')) ?? '';
    assert.ok(shown.includes(hhmm), `local time ${hhmm} (${ZONE}) in "${shown}"`);
    assert.doesNotMatch(shown, /UTC/);
    assert.match((await page.textContent('#expires-in')) ?? '', /^in (59|60) minutes$|^in 1 hour$/);

    await page.setViewportSize({ width: 1200, height: 980 });
    await page.screenshot({ path: CREDENTIALS_PNG });

    const buttons = page.locator('button.copy');
    assert.ok((await buttons.count()) >= 6);
    for (const b of await buttons.all()) assert.equal(await b.isVisible(), true);
    await page.locator('button.copy[data-copy="env-old-cli"]').click();
    // The label changes once the clipboard write has resolved (and back after 2 s).
    await page.waitForFunction(() => document.querySelector('button.copy[data-copy="env-old-cli"]')?.textContent === 'Copied', null, { timeout: 5000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `aws() { command aws --endpoint-url ${gh.url} "$@"; }`);
    await page.locator('button.copy[data-copy="env-bash"]').click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^export AWS_ACCESS_KEY_ID=ASIA[A-Z0-9]{16}\n[\s\S]*^export AWS_REGION=us-east-1$/m);

    for (const png of [CONSOLE_PNG, CREDENTIALS_PNG]) assert.ok(statSync(png).size < 400_000, `${png} stays small`);
    await page.close();
    assert.deepEqual(cspViolations, []);
  });
});
