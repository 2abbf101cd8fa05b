/**
 * The console's IAM-user sign-in puts the cursor where the person types next (issue 11): the
 * first empty field of account, user name and password. After a wrong password the form comes
 * back with account and user name kept, so the password field has the focus.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { csrfIn, setup, type ConsoleEnv } from './helpers.js';

const PASSWORD = `Pw-${randomBytes(12).toString('base64url')}-7x`;

/** The id of the one input that carries `autofocus`. */
function focused(html: string): string {
  const ids = [...html.matchAll(/<input id="([^"]+)"[^>]*\sautofocus[\s>]/g)].map((m) => m[1]!);
  assert.equal(ids.length, 1, `exactly one autofocus field: ${ids.join(', ')}`);
  return ids[0]!;
}

describe('console sign-in: focus', () => {
  let env: ConsoleEnv;
  before(async () => {
    env = await setup();
    const iam = env.sdk().iam();
    await iam.send(new CreateUserCommand({ UserName: 'fern' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'fern', Password: PASSWORD }));
  });
  after(() => env?.close());

  it('no account known: the account field; account from the link: the user name field', async () => {
    assert.equal(focused((await supertest(env.gh.url).get('/console/signin')).text), 'account');
    assert.equal(focused((await supertest(env.gh.url).get(`/console/signin?account=${env.gh.accountId}`)).text), 'username');
  });

  it('after a wrong password: the password field, with account and user name kept', async () => {
    const agent = supertest.agent(env.gh.url);
    const form = await agent.get(`/console/signin?account=${env.gh.accountId}`);
    const r = await agent.post('/console/signin').type('form').send({ _csrf: csrfIn(form.text)!, account: env.gh.accountId, username: 'fern', password: `${PASSWORD}-wrong`, mfaCode: '' });
    assert.equal(r.status, 401);
    assert.match(r.text, /value="fern"/);
    assert.equal(focused(r.text), 'password');
  });
});
