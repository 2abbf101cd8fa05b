/**
 * The broker is protected, and its trouble is explained to people (demo defaults):
 * - DeleteUser of the broker is refused with DeleteConflict saying what it does, over the API
 *   (SDK and /usr/bin/aws) and in the console, and nothing changes;
 * - when its policy denies a set, when it has no policy left, and when the user is gone, the
 *   portal home says so and "Open console" / "Command-line credentials" answer a 503 page that
 *   explains it (never the generic "internal error"), with nothing issued; the JSON API too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, DeleteUserCommand, DeleteUserPolicyCommand, GetUserCommand, GetUserPolicyCommand, PutUserPolicyCommand, UpdateUserCommand } from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { mutate } from '../console/helpers.js';
import { apiCredentials, demoLogins, openConsole, postForm, signedIn, text } from './helpers.js';

const BROKER = 'gatehouse-broker';

describe('the broker: protected, and explained on the portal', () => {
  let gh: TestGatehouse;
  let logins: Map<string, string>;

  before(async () => {
    gh = await startGatehouse();
    logins = demoLogins(gh.server.config.dataDir);
  });
  after(() => gh?.close());

  const refusedPage = (r: { status: number; text: string }, problem: RegExp) => {
    assert.equal(r.status, 503, text(r.text).slice(0, 300));
    const t = text(r.text);
    assert.match(t, /Gatehouse cannot issue credentials right now/);
    assert.match(t, new RegExp(`the broker ${BROKER} \\(federation\\.broker`));
    assert.match(t, problem);
    assert.match(t, /This is not a problem with your account/);
    assert.doesNotMatch(t, /internal error|Something went wrong/i);
    assert.doesNotMatch(r.text, /ASIA[A-Z0-9]{16}|SigninToken=/);
  };

  it('DeleteUser of the broker is refused with DeleteConflict over the API (SDK and aws CLI); the broker and its policy stay', async () => {
    const iam = gh.iam();
    await assert.rejects(iam.send(new DeleteUserCommand({ UserName: BROKER })), (e: Error & { name: string }) => {
      assert.match(e.name, /^DeleteConflict(Exception)?$/);
      assert.match(e.message, /is Gatehouse's broker \(federation\.broker\): the portal issues every permission set's credentials and console sessions as this user/);
      return true;
    });
    // The check does not depend on the letter case of the name.
    const cli = await gh.cli(['iam', 'delete-user', '--user-name', BROKER.toUpperCase()]);
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /DeleteConflict/);
    assert.match(cli.stderr, /Gatehouse's broker/);
    assert.equal((await iam.send(new GetUserCommand({ UserName: BROKER }))).User!.UserName, BROKER);
    await iam.send(new GetUserPolicyCommand({ UserName: BROKER, PolicyName: 'gatehouse-demo-broker' }));
  });

  it('renaming the broker is refused with UnmodifiableEntity (SDK and aws CLI); a path move and a same-name case change are not renames', async () => {
    const iam = gh.iam();
    await assert.rejects(iam.send(new UpdateUserCommand({ UserName: BROKER, NewUserName: 'someone-else' })), (e: Error & { name: string }) => {
      assert.match(e.name, /^UnmodifiableEntity(Exception)?$/);
      assert.match(e.message, /Cannot rename user gatehouse-broker: it is Gatehouse's broker \(federation\.broker\)/);
      return true;
    });
    const cli = await gh.cli(['iam', 'update-user', '--user-name', BROKER, '--new-user-name', 'renamed']);
    assert.notEqual(cli.status, 0);
    assert.match(cli.stderr, /UnmodifiableEntity/);
    assert.equal((await iam.send(new GetUserCommand({ UserName: BROKER }))).User!.UserName, BROKER);
    await assert.rejects(iam.send(new GetUserCommand({ UserName: 'someone-else' })), /NoSuchEntity|cannot be found/);
    // Any other user can still be renamed.
    await iam.send(new CreateUserCommand({ UserName: 'plain-user' }));
    await iam.send(new UpdateUserCommand({ UserName: 'plain-user', NewUserName: 'plain-user-2' }));
    await iam.send(new DeleteUserCommand({ UserName: 'plain-user-2' }));
  });

  it('deleting the broker in the console (as the Admin set) is refused with the same explanation', async () => {
    const { agent } = await signedIn(gh.url, 'ada', logins.get('ada')!);
    await openConsole(agent, 'Admin', `${gh.url}/console/`);
    const { flash, kind } = await mutate(agent, `/console/iam/users/${BROKER}/delete`);
    assert.equal(kind, 'error');
    assert.match(flash, /^DeleteConflict: Cannot delete entity, user gatehouse-broker is Gatehouse's broker/);
    assert.doesNotMatch(flash, /Remove them on this page first/, 'not the "remove what it holds" advice');
    assert.equal((await gh.iam().send(new GetUserCommand({ UserName: BROKER }))).User!.UserName, BROKER);
  });

  it('a broker policy that denies the set: Open console explains it (503), nothing issued', async () => {
    const deny = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }] });
    await gh.iam().send(new PutUserPolicyCommand({ UserName: BROKER, PolicyName: 'deny-roles', PolicyDocument: deny }));
    try {
      const { agent } = await signedIn(gh.url, 'ada', logins.get('ada')!);
      refusedPage(await postForm(agent, '/portal/console', { permissionSet: 'Admin' }), /Its policies do not allow it to issue Admin/);
      refusedPage(await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' }), /Its policies do not allow it to issue Admin/);
      // A federated set it may still issue works.
      const grace = await signedIn(gh.url, 'grace', logins.get('grace')!);
      assert.equal((await postForm(grace.agent, '/portal/credentials', { permissionSet: 'Developer' })).status, 200);
    } finally {
      await gh.iam().send(new DeleteUserPolicyCommand({ UserName: BROKER, PolicyName: 'deny-roles' }));
    }
  });

  it('a broker with no policy left: the home page says so, and both buttons explain it (503)', async () => {
    await gh.iam().send(new DeleteUserPolicyCommand({ UserName: BROKER, PolicyName: 'gatehouse-demo-broker' }));
    const { agent, home } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    assert.match(home, /id="broker-problem"/);
    assert.match(text(home), /That user has no policy left/);
    refusedPage(await postForm(agent, '/portal/console', { permissionSet: 'Developer' }), /That user has no policy left/);
    refusedPage(await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' }), /That user has no policy left/);
    // The JSON API (what the CLI helper prints) says it in one sentence.
    const api = await apiCredentials(gh.url, { username: 'grace', password: logins.get('grace')!, permissionSet: 'Developer' });
    assert.equal(api.status, 503);
    assert.equal(api.body.code, 'ServiceUnavailable');
    assert.match(api.body.message, /the portal's broker user gatehouse-broker \(federation\.broker\) has no policy left, so it can issue nothing\. Nothing was issued/);
    assert.equal(api.body.AccessKeyId, undefined);
  });

  it('a missing broker (gone from the store): the home page says so, and Open console explains it (503)', async () => {
    const store = gh.server.store;
    const broker = await store.users.get(gh.accountId, BROKER);
    await store.users.delete(broker!.id);
    const { agent, home } = await signedIn(gh.url, 'ada', logins.get('ada')!);
    assert.match(text(home), /That user no longer exists/);
    refusedPage(await postForm(agent, '/portal/console', { permissionSet: 'Admin' }), /That user no longer exists.*restart Gatehouse, which creates the broker user again/s);
  });

  it('a healthy broker shows no explanation on the home page', async () => {
    const fresh = await startGatehouse();
    try {
      const { home } = await signedIn(fresh.url, 'grace', demoLogins(fresh.server.config.dataDir).get('grace')!);
      assert.doesNotMatch(home, /broker-problem|cannot issue credentials/);
    } finally {
      await fresh.close();
    }
  });
});
