/**
 * 429 pages say when to try again, in words that agree with their Retry-After header:
 * the portal sign-in form, the portal's JSON API, and the console's IAM-user sign-in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { durationInWords } from '../../src/web/in-words.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { setup, signIn as consoleSignIn, type ConsoleEnv } from '../console/helpers.js';
import { apiCredentials, signIn, text } from './helpers.js';

/** The sentence a page must carry for a Retry-After of `header` seconds. */
const expected = (header: string | undefined) => {
  assert.match(header ?? '', /^\d+$/, 'a Retry-After in seconds');
  return `Try again in ${durationInWords(Number(header) * 1000, { roundUp: true })}.`;
};

describe('429 answers say when to try again', () => {
  let gh: TestGatehouse;
  let env: ConsoleEnv;
  const tmp = tempDir();

  before(async () => {
    gh = await startGatehouse({ configFile: tmp.write('limits.yaml', 'portal: { failuresPerAccount: 1 }\n') });
    env = await setup();
  });
  after(async () => {
    await gh?.close();
    await env?.close();
    tmp.cleanup();
  });

  it('the portal sign-in form: "Try again in 15 minutes.", matching Retry-After', async () => {
    assert.equal((await signIn(supertest.agent(gh.url), 'ada', 'wrong-wrong-wrong')).status, 401);
    const limited = await signIn(supertest.agent(gh.url), 'ada', 'wrong-wrong-wrong');
    assert.equal(limited.status, 429);
    const sentence = expected(limited.headers['retry-after']);
    assert.match(sentence, /^Try again in (15|14) minutes\.$/);
    assert.match(text(limited.text), new RegExp(`Too many sign-in attempts\\. ${sentence.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(text(limited.text), /Try again later/);
  });

  it('the portal API: the JSON message says it too', async () => {
    const r = await apiCredentials(gh.url, { username: 'ada', password: 'wrong-wrong-wrong', permissionSet: 'Admin' });
    assert.equal(r.status, 429);
    assert.equal(r.body.code, 'Throttling');
    assert.equal(r.body.message, `Too many sign-in attempts. ${expected(r.headers['retry-after'])}`);
  });

  it('the console sign-in: "Try again in … minutes.", matching Retry-After', async () => {
    const account = env.gh.accountId;
    for (let i = 0; i < 5; i++) assert.equal((await consoleSignIn(supertest.agent(env.gh.url), { account, username: 'nobody', password: 'wrong' })).status, 401);
    const limited = await consoleSignIn(supertest.agent(env.gh.url), { account, username: 'nobody', password: 'wrong' });
    assert.equal(limited.status, 429);
    const sentence = expected(limited.headers['retry-after']);
    assert.match(text(limited.text), new RegExp(`Too many failed sign-ins\\. ${sentence.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(text(limited.text), /Wait a few minutes/);
  });
});
