/**
 * The newcomer path on `npm start`'s defaults: the embedded demo directory and the demo
 * permission sets. The demo logins are read from `<dataDir>/demo-logins.txt` (mode 0600); each
 * demo employee signs in and sees their set (ada: Admin, grace: Developer, linus: ReadOnly),
 * lands in the console with that set's powers, and gets CLI credentials the aws CLI accepts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { credentialsIn, demoLogins, openConsole, postForm, signedIn, text } from './helpers.js';

const EXPECTED: Record<string, { set: string; arn: (account: string) => string }> = {
  ada: { set: 'Admin', arn: (a) => `arn:aws:sts::${a}:assumed-role/GatehouseDemoAdmin/ada` },
  grace: { set: 'Developer', arn: (a) => `arn:aws:sts::${a}:federated-user/grace` },
  linus: { set: 'ReadOnly', arn: (a) => `arn:aws:sts::${a}:assumed-role/GatehouseDemoReadOnly/linus` },
};

describe('the newcomer path on the defaults (embedded demo directory)', () => {
  let gh: TestGatehouse;
  let logins: Map<string, string>;

  before(async () => {
    gh = await startGatehouse();
    logins = demoLogins(gh.server.config.dataDir);
  });
  after(() => gh?.close());

  it('the demo logins file names the three demo employees', () => {
    assert.deepEqual([...logins.keys()].sort(), ['ada', 'grace', 'linus']);
    for (const password of logins.values()) assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });

  for (const [user, { set }] of Object.entries(EXPECTED)) {
    it(`${user} signs in and sees ${set}, opens the console as that set, and gets CLI credentials the aws CLI accepts`, async () => {
      const { agent, sets, home } = await signedIn(gh.url, user, logins.get(user)!);
      assert.deepEqual(sets, [set]);
      assert.doesNotMatch(text(home), /not in any directory group/);
      const { page } = await openConsole(agent, set, `${gh.url}/console/`);
      assert.match(page.text, new RegExp(EXPECTED[user]!.arn(gh.accountId).replace(/[/.]/g, '\\$&')));
      const iamUsers = await agent.get('/console/iam/users');
      if (user === 'grace') assert.notEqual(iamUsers.status, 200, 'a federated Developer session cannot use IAM');
      else assert.equal(iamUsers.status, 200, `${user} reads IAM in the console`);
      const r = await postForm(agent, '/portal/credentials', { permissionSet: set });
      assert.equal(r.status, 200);
      const who = await gh.cli(['sts', 'get-caller-identity'], credentialsIn(r.text));
      assert.equal(who.status, 0, who.stderr);
      assert.equal(who.json.Arn, EXPECTED[user]!.arn(gh.accountId));
    });
  }

  it('the powers differ: ada may create a user, linus may only read', async () => {
    const creds = async (user: string) => {
      const { agent } = await signedIn(gh.url, user, logins.get(user)!);
      return credentialsIn((await postForm(agent, '/portal/credentials', { permissionSet: EXPECTED[user]!.set })).text);
    };
    const [ada, linus] = [await creds('ada'), await creds('linus')];
    assert.equal((await gh.cli(['iam', 'list-users'], linus)).status, 0);
    const denied = await gh.cli(['iam', 'create-user', '--user-name', 'from-linus'], linus);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /AccessDenied/);
    const created = await gh.cli(['iam', 'create-user', '--user-name', 'from-ada'], ada);
    assert.equal(created.status, 0, created.stderr);
  });

  it('a wrong demo password is the generic refusal', async () => {
    const agent = supertest.agent(gh.url);
    const token = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/portal/')).text)![1]!;
    const r = await agent.post('/portal/login').type('form').send({ _csrf: token, username: 'ada', password: 'aaaa-bbbb-cccc' });
    assert.equal(r.status, 401);
    assert.match(text(r.text), /The user name or password is incorrect\./);
  });
});
