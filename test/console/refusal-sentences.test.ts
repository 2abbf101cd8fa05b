/**
 * Refusal banners read as sentences: AWS words AccessDenied without a final full stop, so a
 * banner that shows it (views/partials/refusal.ejs) or follows it with an explanation
 * (src/console/page.ts describe) adds the stop between the sentences.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asSentence } from '../../src/console/page.js';
import { allow, doc, errorsOn, openConsole, roleCredentials, setup, type Agent, type ConsoleEnv } from './helpers.js';

describe('refusal banners end their sentences', () => {
  let env: ConsoleEnv;
  let agent: Agent;

  before(async () => {
    env = await setup();
    // May read a user but not list what it holds: the user page shows refusal banners.
    agent = await openConsole(env, await roleCredentials(env, 'reader', doc(allow(['iam:GetUser', 'iam:ListUsers']))));
  });
  after(() => env?.close());

  it('asSentence adds a full stop only where one is missing', () => {
    assert.equal(asSentence('because no identity-based policy allows the iam:X action'), 'because no identity-based policy allows the iam:X action.');
    assert.equal(asSentence('The user with name x cannot be found.'), 'The user with name x cannot be found.');
    assert.equal(asSentence('Is it "quoted."'), 'Is it "quoted."');
    assert.equal(asSentence('Done! '), 'Done!');
  });

  it('the refusal partial: each banner ends with a full stop', async () => {
    const r = await agent.get('/console/iam/users/gatehouse-broker');
    assert.equal(r.status, 200);
    const banners = errorsOn(r.text).filter((t) => /^AccessDenied/.test(t));
    assert.ok(banners.length >= 3, `refusal banners on the page: ${banners.length}`);
    for (const b of banners) assert.match(b, /^AccessDenied: User: arn:aws:sts::\d{12}:assumed-role\/reader\/console-test is not authorized to perform: iam:\w+ .*\.$/, b);
  });

  it('a refused page: the explanation follows AWS\'s message after a full stop', async () => {
    const r = await agent.get('/console/iam/groups/no-such-group');
    const [banner] = errorsOn(r.text);
    assert.ok(banner, `a refusal on the page (${r.status})`);
    assert.match(banner!, /^AccessDenied: .* action\. Your session’s policies do not allow this\.$/);
    assert.doesNotMatch(banner!, /[a-z0-9] Your session/, 'no sentence runs into the next');
  });
});
