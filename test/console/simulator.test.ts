/**
 * The console's policy simulator (issue 11): an empty or malformed action is refused with
 * AWS's InvalidInput wording instead of being silently ignored, the form keeps what was
 * typed, and no decision is shown; a well-formed action still gets its decision, with the
 * matched statement named by its policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allow, doc, errorsOn, openConsole, post, roleCredentials, setup, text, type Agent, type ConsoleEnv } from './helpers.js';

describe('console policy simulator', () => {
  let env: ConsoleEnv;
  let agent: Agent;

  before(async () => {
    env = await setup();
    agent = await openConsole(env, await roleCredentials(env, 'sim-reader', doc(allow(['s3:GetObject', 'iam:Get*']))));
  });
  after(() => env.close());

  const decisionOf = (html: string) => /<span class="decision-(\w+)">/.exec(html)?.[1];

  it('refuses a malformed action with InvalidInput and shows no decision', async () => {
    const r = await post(agent, '/console/simulate', { action: 'frobnicate', resource: '*' });
    assert.equal(r.status, 400);
    assert.deepEqual(errorsOn(r.text), ['InvalidInput: Invalid action name frobnicate: an action is a service prefix and an action name, for example iam:CreateUser.']);
    assert.equal(decisionOf(r.text), undefined);
    assert.match(r.text, /id="sim-action" type="text" name="action" value="frobnicate"/, 'the form keeps what was typed');
  });

  it('refuses an empty action, and one with spaces or a bad service prefix', async () => {
    for (const action of ['', '   ', 's3:Get Object', 's3 GetObject', ':GetObject', 's3:', 's3:Get:Object']) {
      const r = await post(agent, '/console/simulate', { action, resource: '*' });
      assert.equal(r.status, 400, `"${action}"`);
      const [error] = errorsOn(r.text);
      assert.match(error ?? '', /^InvalidInput: (An action name is required|Invalid action name)/, `"${action}": ${error}`);
      assert.equal(decisionOf(r.text), undefined);
    }
  });

  it('a well-formed action still gets its decision and the matching policy', async () => {
    const ok = await post(agent, '/console/simulate', { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/q1.csv' });
    assert.equal(ok.status, 200);
    assert.equal(decisionOf(ok.text), 'Allow');
    assert.deepEqual(errorsOn(ok.text), []);
    const no = await post(agent, '/console/simulate', { action: 's3:PutObject', resource: '*' });
    assert.equal(decisionOf(no.text), 'ImplicitDeny');
    assert.match(text(no.text), /No identity-based policy allows s3:PutObject/);
  });
});
