/**
 * The console in a real browser: Playwright (playwright-core) driving Debian's
 * /usr/bin/chromium. An IAM user signs in with password and MFA (the TOTP computed here),
 * creates a user and an access key, signs out. No CSP violation may occur (the console has
 * no inline script). (The README's console screenshot is the newcomer path's role session,
 * taken by test/portal/pages-browser.test.ts, not this IAM-user session.)
 * Without chromium the test is skipped, except with CI=true, where it fails.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccountAliasCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from '../support/files.js';
import { stepOf, totp } from '../sts/helpers.js';
import { allow, doc, setup, type ConsoleEnv } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const PASSWORD = 'Console-Browser-42';

const missing = !existsSync(CHROMIUM);
if (missing && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
const skip = missing ? `${CHROMIUM} is not installed (apt-get install chromium); skipped outside CI` : false;

describe('console in chromium', { skip }, () => {
  let env: ConsoleEnv;
  let context: BrowserContext;
  const profile = tempDir();
  let seed: string;
  const cspViolations: string[] = [];

  before(async () => {
    env = await setup();
    const iam = env.sdk().iam();
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' }));
    await iam.send(new CreateUserCommand({ UserName: 'ada' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ada', PolicyName: 'admin', PolicyDocument: doc(allow('iam:*')) }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'ada', Password: PASSWORD }));
    const { VirtualMFADevice: d } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'ada' }));
    seed = Buffer.from(d!.Base32StringSeed!).toString('latin1');
    const s = stepOf(env.clock.now());
    await iam.send(new EnableMFADeviceCommand({ UserName: 'ada', SerialNumber: d!.SerialNumber!, AuthenticationCode1: totp(seed, s - 1), AuthenticationCode2: totp(seed, s) }));
    env.clock.advance(60_000); // the sign-in code is a later step than the enabling ones
    context = await chromium.launchPersistentContext(profile.dir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 800 } });
    context.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    context.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await context?.close();
    await env?.close();
    profile.cleanup();
  });

  it('sign in with password and MFA, create a user and an access key, sign out', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${env.gh.url}/console/signin?account=example-corp`);
    assert.equal(await page.inputValue('#account'), 'example-corp');
    await page.fill('#username', 'ada');
    await page.fill('#password', PASSWORD);
    await page.fill('#mfaCode', totp(seed, stepOf(env.clock.now())));
    await Promise.all([page.waitForURL(`${env.gh.url}/console/`), page.click('button[type=submit]')]);
    assert.match(await page.textContent('header.top') ?? '', /arn:aws:iam::\d{12}:user\/ada/);
    assert.match(await page.textContent('header.top') ?? '', /example-corp/);

    // The policy simulator on the console home.
    await page.fill('#sim-action', 'iam:CreateUser');
    await page.fill('#sim-resource', `arn:aws:iam::${env.gh.accountId}:user/build-bot`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Can I?' }).click()]);
    assert.equal(await page.textContent('.decision-Allow'), 'Allow');

    await page.click('nav.side a[href="/console/iam/users"]');
    await page.fill('#new-user', 'build-bot');
    await Promise.all([page.waitForURL(/\/console\/iam\/users\/build-bot$/), page.getByRole('button', { name: 'Create user' }).click()]);
    assert.equal(await page.textContent('p.notice'), 'User build-bot created.');

    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Create access key' }).click()]);
    const keyId = await page.textContent('#access-key-id');
    const secret = await page.textContent('#secret-access-key');
    assert.match(keyId ?? '', /^AKIA[A-Z0-9]{16}$/);
    assert.match(secret ?? '', /^.{40}$/);
    await Promise.all([page.waitForURL(/\/console\/iam\/users\/build-bot$/), page.getByRole('link', { name: 'Done' }).click()]);
    assert.ok((await page.content()).includes(keyId!));
    assert.ok(!(await page.content()).includes(secret!), 'the secret is shown once');

    await Promise.all([page.waitForURL(/\/console\/signin$/), page.getByRole('button', { name: 'Sign out' }).click()]);
    assert.equal(await page.inputValue('#account'), 'example-corp', 'the account is remembered');
    const after = await page.goto(`${env.gh.url}/console/`);
    assert.equal(after?.status(), 401);
    assert.deepEqual(cspViolations, []);
  });
});
