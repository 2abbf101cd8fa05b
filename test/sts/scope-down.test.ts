/**
 * SECURITY.md D1 against the live server: a fast-check property over random role
 * policies P and session policies S drawn from a small vocabulary of IAM read
 * actions and resources. Each run puts P on a role, assumes it with Policy=S, and
 * sends every request of the sample through the SDK. The offline engine
 * (src/policy) is the oracle:
 * - live Allow ⇒ P alone allows and S alone allows;
 * - an explicit Deny in P or in S ⇒ live AccessDenied;
 * - and the live decision is the engine's decision for P ∩ S.
 * Each kind of outcome must occur, so a drifting generator fails rather than passing vacuously.
 * One fixed example also goes through the AWS CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CreateUserCommand, GetRoleCommand, GetUserCommand, ListGroupsCommand, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { authorize, createContext, parsePolicy, type Decision, type PolicySet } from '../../src/policy/index.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliCode, cliCreds, cliOk, creds, deny, doc, role, trustOf, userWithKey } from './helpers.js';

const RUNS = 30;
const ACTIONS = ['iam:ListUsers', 'iam:ListRoles', 'iam:GetUser', 'iam:ListGroups', 'iam:GetRole'] as const;
const ACTION_PATTERNS = [...ACTIONS, 'iam:List*', 'iam:Get*', 'iam:*', 'iam:*User*'];

describe('D1 scope-down on the live server', () => {
  let gh: TestGatehouse;
  let caller: Credentials;
  let acct: string;
  /** The sample of requests: the action, the resource the server authorises it on, and how to send it. */
  let requests: Array<{ action: (typeof ACTIONS)[number]; resource: string; send: (c: Credentials) => Promise<unknown> }>;

  before(async () => {
    gh = await startGatehouse();
    acct = gh.accountId;
    caller = await userWithKey(gh, 'assumer', doc(allow('sts:AssumeRole')));
    await role(gh, 'target', trustOf(acct), { policy: doc(allow('iam:GetRole')) });
    await gh.iam().send(new CreateUserCommand({ UserName: 'alice' }));
    requests = [
      { action: 'iam:ListUsers', resource: `arn:aws:iam::${acct}:user/*`, send: (c) => gh.iam(c).send(new ListUsersCommand({})) },
      { action: 'iam:ListRoles', resource: `arn:aws:iam::${acct}:role/*`, send: (c) => gh.iam(c).send(new ListRolesCommand({})) },
      { action: 'iam:ListGroups', resource: `arn:aws:iam::${acct}:group/*`, send: (c) => gh.iam(c).send(new ListGroupsCommand({})) },
      { action: 'iam:GetUser', resource: `arn:aws:iam::${acct}:user/alice`, send: (c) => gh.iam(c).send(new GetUserCommand({ UserName: 'alice' })) },
      { action: 'iam:GetRole', resource: `arn:aws:iam::${acct}:role/target`, send: (c) => gh.iam(c).send(new GetRoleCommand({ RoleName: 'target' })) },
    ];
  });
  after(() => gh.close());

  it(`live Allow ⇒ P Allow ∧ S Allow; a Deny in either wins (${RUNS} runs)`, async () => {
    const resources = () => [
      '*',
      `arn:aws:iam::${acct}:user/*`,
      `arn:aws:iam::${acct}:role/*`,
      `arn:aws:iam::${acct}:group/*`,
      `arn:aws:iam::${acct}:user/alice`,
      `arn:aws:iam::${acct}:role/target`,
      `arn:aws:iam::${acct}:*`,
    ];
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      Action: fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), { minLength: 1, maxLength: 3 }),
      Resource: fc.uniqueArray(fc.constantFrom(...resources()), { minLength: 1, maxLength: 2 }),
    });
    const policy = fc.array(statement, { minLength: 1, maxLength: 3 }).map((s) => doc(...s));
    const seen = { allow: 0, implicit: 0, explicit: 0 };
    let run = 0;

    await fc.assert(
      fc.asyncProperty(policy, policy, async (P, S) => {
        run++;
        await gh.iam().send(new PutRolePolicyCommand({ RoleName: 'target', PolicyName: 'inline', PolicyDocument: P }));
        const c = creds((await gh.sts(caller).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/target`, RoleSessionName: `run-${run}`, Policy: S }))).Credentials);
        const p = parsePolicy(P, { kind: 'identity' });
        const s = parsePolicy(S, { kind: 'session' });
        for (const req of requests) {
          const decide = (set: PolicySet): Decision => authorize({ action: req.action, resource: req.resource, context: createContext({}) }, set);
          const pAlone = decide({ identity: [{ name: 'P', policy: p }] });
          const sAlone = decide({ identity: [{ name: 'S', policy: s }] });
          const both = decide({ principalType: 'AssumedRole', identity: [{ name: 'P', policy: p }], session: [{ name: 'S', policy: s }] });
          let live: 'Allow' | 'AccessDenied';
          try {
            await req.send(c);
            live = 'Allow';
          } catch (err) {
            const r = err as { name: string; message: string };
            assert.equal(r.name, 'AccessDenied', `${req.action}: unexpected ${r.name}: ${r.message}`);
            live = 'AccessDenied';
            if (both === 'ExplicitDeny') assert.match(r.message, /explicit deny/, req.action);
          }
          const context = `${req.action}\nP=${P}\nS=${S}\nP alone ${pAlone}, S alone ${sAlone}, engine ${both}, live ${live}`;
          if (live === 'Allow') assert.ok(pAlone === 'Allow' && sAlone === 'Allow', `live Allow without P and S both allowing\n${context}`);
          if (pAlone === 'ExplicitDeny' || sAlone === 'ExplicitDeny') assert.equal(live, 'AccessDenied', `explicit deny not honoured\n${context}`);
          assert.equal(live === 'Allow', both === 'Allow', `live decision differs from the engine\n${context}`);
          if (both === 'Allow') seen.allow++;
          else if (both === 'ExplicitDeny') seen.explicit++;
          else seen.implicit++;
        }
      }),
      { numRuns: RUNS },
    );
    assert.ok(seen.allow > 0 && seen.implicit > 0 && seen.explicit > 0, `every outcome should occur: ${JSON.stringify(seen)}`);
  });

  it('a fixed example through the AWS CLI: role iam:List*, session allows iam:* but denies iam:ListRoles', async () => {
    await gh.iam().send(new PutRolePolicyCommand({ RoleName: 'target', PolicyName: 'inline', PolicyDocument: doc(allow('iam:List*')) }));
    const session = doc(allow('iam:*'), deny('iam:ListRoles'));
    const c = cliCreds(cliOk(await gh.cli(['sts', 'assume-role', '--role-arn', `arn:aws:iam::${acct}:role/target`, '--role-session-name', 'cli', '--policy', session], caller)));
    const [users, roles, getRole] = await Promise.all([
      gh.cli(['iam', 'list-users'], c),
      gh.cli(['iam', 'list-roles'], c),
      gh.cli(['iam', 'get-role', '--role-name', 'target'], c),
    ]);
    assert.ok(cliOk(users).Users.some((u: { UserName: string }) => u.UserName === 'alice'));
    assert.equal(cliCode(roles), 'AccessDenied');
    assert.match(roles.stderr, /explicit deny/);
    assert.equal(cliCode(getRole), 'AccessDenied');
  });
});
