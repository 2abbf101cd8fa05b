/**
 * The console's Event history page: filters (user, event name, source, time), each event's
 * JSON, paging, links from a user's and a role's page; refused (AccessDenied) for a session
 * whose policies do not allow cloudtrail:LookupEvents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { allow, doc, federationCredentials, openConsole, roleCredentials, setup, type ConsoleEnv } from '../console/helpers.js';
import { text } from '../support/html.js';

describe('console Event history', () => {
  let env: ConsoleEnv;
  before(async () => {
    env = await setup();
    const iam = env.sdk().iam();
    for (let i = 0; i < 30; i++) await iam.send(new CreateUserCommand({ UserName: `hist-${i}` }));
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'hist-missing' })));
    await env.gh.server.audit!.trail.flush();
  });
  after(() => env.close());

  it('filters by user, event name, source and time; shows the JSON; pages', async () => {
    const agent = await openConsole(env, await roleCredentials(env, 'auditor', doc(allow(['iam:*', 'cloudtrail:LookupEvents']))));
    const all = await agent.get('/console/events').query({ name: 'CreateUser', source: 'iam.amazonaws.com' });
    assert.equal(all.status, 200);
    assert.equal([...all.text.matchAll(/<tr id="event-/g)].length, 25);
    assert.match(all.text, /&#34;eventName&#34;: &#34;CreateUser&#34;|"eventName": "CreateUser"/);
    const older = /<a href="([^"]+)">Older events<\/a>/.exec(all.text)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(older, 'a next-page link');
    const page2 = await agent.get(older!);
    assert.equal([...page2.text.matchAll(/<tr id="event-/g)].length, 6); // 30 + the broker user of setup()
    const refused = await agent.get('/console/events').query({ name: 'GetUser' });
    assert.match(text(refused.text), /NoSuchEntity/);
    const byUser = await agent.get('/console/events').query({ user: 'root', name: 'CreateUser' });
    assert.equal([...byUser.text.matchAll(/<tr id="event-/g)].length, 25);
    const future = new Date(env.clock.now() + 86_400_000).toISOString().slice(0, 16);
    const none = await agent.get('/console/events').query({ from: future });
    assert.match(text(none.text), /No events match/);
    const userPage = await agent.get('/console/iam/users/hist-3');
    assert.match(userPage.text, /href="\/console\/events\?user=hist-3"/);
    const rolePage = await agent.get('/console/iam/roles/auditor');
    assert.match(rolePage.text, /href="\/console\/events\?resource=auditor"/);
  });

  it('refused without cloudtrail:LookupEvents, with AWS\'s AccessDenied', async () => {
    const agent = await openConsole(env, await federationCredentials(env, doc(allow('iam:List*'))));
    const r = await agent.get('/console/events');
    assert.equal(r.status, 403);
    assert.match(text(r.text), /AccessDenied/);
    assert.doesNotMatch(r.text, /<tr id="event-/);
  });
});
