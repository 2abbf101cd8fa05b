/**
 * The newcomer path in a real browser, on `npm start`'s defaults (the embedded demo directory):
 * Playwright (playwright-core) driving Debian's /usr/bin/chromium. A demo employee signs in at
 * the portal, opens the console and sees their identity, comes back to the portal, gets CLI
 * credentials and uses them with /usr/bin/aws. No CSP violation may occur. The sign-in page and
 * the portal home are saved to docs/portal-signin.png and docs/portal-home.png for the README.
 * Without chromium the test is skipped, except with CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { demoLogins } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const DOCS = new URL('../../docs/', import.meta.url);
const SIGNIN_PNG = fileURLToPath(new URL('portal-signin.png', DOCS));
const HOME_PNG = fileURLToPath(new URL('portal-home.png', DOCS));

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium); skipped outside CI` : false;

describe('portal newcomer path in chromium', { skip }, () => {
  let gh: TestGatehouse;
  let context: BrowserContext;
  const profile = tempDir();
  const cspViolations: string[] = [];

  before(async () => {
    gh = await startGatehouse();
    context = await chromium.launchPersistentContext(profile.dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 800 } });
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });
  after(async () => {
    await context?.close();
    await gh?.close();
    profile.cleanup();
  });

  it('sign in as ada, open the console, come back for CLI credentials, use them with the aws CLI', async () => {
    const password = demoLogins(gh.server.config.dataDir).get('ada')!;
    const page = context.pages()[0] ?? (await context.newPage());
    mkdirSync(fileURLToPath(DOCS), { recursive: true });

    // The front door leads to the portal's sign-in page.
    await page.goto(`${gh.url}/`);
    assert.equal(new URL(page.url()).pathname, '/portal/');
    assert.equal(await page.textContent('h1'), 'Sign in to Gatehouse');
    await page.fill('#username', 'ada');
    await page.screenshot({ path: SIGNIN_PNG });
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${gh.url}/portal/`), page.click('button[type=submit]')]);
    assert.equal(await page.textContent('h1'), 'Your permission sets');
    assert.match((await page.textContent('header.top')) ?? '', /Signed in as\s+Ada\b/i);
    assert.deepEqual(await page.locator('section.card h2').allTextContents(), ['Admin']);
    await page.screenshot({ path: HOME_PNG });

    // Open the console: the portal → /federation → the console, as the Admin role session.
    await Promise.all([page.waitForURL(`${gh.url}/console/`), page.getByRole('button', { name: 'Open console' }).click()]);
    assert.equal((await page.textContent('header.top .who'))?.trim(), `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoAdmin/ada`);
    await page.click('nav.side a[href="/console/iam/users"]');
    assert.match((await page.content()) ?? '', /gatehouse-broker/, 'the Admin set manages IAM in the console');

    // Back to the portal (still signed in) for command-line credentials.
    await page.goto(`${gh.url}/portal/`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Command-line credentials' }).click()]);
    assert.equal(await page.textContent('h1'), 'Credentials for Admin');
    const bash = (await page.locator('pre').first().textContent()) ?? '';
    const v = (name: string) => new RegExp(`^export ${name}=(\\S+)$`, 'm').exec(bash)?.[1];
    const creds = { accessKeyId: v('AWS_ACCESS_KEY_ID')!, secretAccessKey: v('AWS_SECRET_ACCESS_KEY')!, sessionToken: v('AWS_SESSION_TOKEN')! };
    assert.match(creds.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.equal(v('AWS_ENDPOINT_URL'), gh.url);
    const who = await gh.cli(['sts', 'get-caller-identity'], creds);
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${gh.accountId}:assumed-role/GatehouseDemoAdmin/ada`);

    for (const png of [SIGNIN_PNG, HOME_PNG]) assert.ok(statSync(png).size < 300_000, `${png} stays small`);
    assert.deepEqual(cspViolations, []);
  });
});
