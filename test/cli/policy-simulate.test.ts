import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gatehouse } from '../support/cli.js';



const alice = 'arn:aws:iam::123456789012:user/alice';
const readObjects = { Sid: 'ReadObjects', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' };

function requestFor(statements: object[], action = 's3:GetObject', resource = 'arn:aws:s3:::reports/q1.csv'): string {
  return JSON.stringify({
    principal: alice,
    principalType: 'User',
    identityPolicies: [{ Version: '2012-10-17', Statement: statements }],
    action,
    resource,
    context: { 'aws:SourceIp': '203.0.113.7' },
  });
}

describe('gatehouse policy simulate', { concurrency: true }, () => {
  it('--json: an allowed request prints exactly {decision, matchedStatements} and exits 0', async () => {
    const { code, stdout, stderr } = await gatehouse(['policy', 'simulate', '--json'], requestFor([readObjects]));
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['decision', 'matchedStatements']);
    assert.equal(out.decision, 'Allow');
    assert.deepEqual(out.matchedStatements, [
      { policy: 'identity[0]', policyType: 'identity', statementIndex: 0, sid: 'ReadObjects', effect: 'Allow' },
    ]);
  });

  it('--json: an explicit deny wins and exits 0', async () => {
    const deny = { Sid: 'NoReports', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::reports/*' };
    const { code, stdout, stderr } = await gatehouse(['policy', 'simulate', '--json'], requestFor([readObjects, deny]));
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { decision: string; matchedStatements: Array<{ effect: string; statementIndex: number }> };
    assert.equal(out.decision, 'ExplicitDeny');
    assert.ok(out.matchedStatements.some((s) => s.effect === 'Deny' && s.statementIndex === 1));
  });

  it('--json: nothing matching is an implicit deny, exit 0', async () => {
    const { code, stdout } = await gatehouse(['policy', 'simulate', '--json'], requestFor([readObjects], 's3:DeleteObject'));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { decision: 'ImplicitDeny', matchedStatements: [] });
  });

  it('without --json prints a readable report', async () => {
    const { code, stdout } = await gatehouse(['policy', 'simulate'], requestFor([readObjects]));
    assert.equal(code, 0);
    assert.match(stdout, /^Decision: Allow$/m);
    assert.match(stdout, /^Reason: +\S/m);
    assert.match(stdout, /Allow +identity\[0\] \[identity\] Statement\[0\] \(Sid "ReadObjects"\)/);
  });

  it('invalid input exits 2 with "Code: message" on stderr and nothing on stdout', async () => {
    for (const input of ['not json', '[]', JSON.stringify({ principal: alice })]) {
      const { code, stdout, stderr } = await gatehouse(['policy', 'simulate', '--json'], input);
      assert.equal(code, 2, `input ${input}`);
      assert.equal(stdout, '');
      assert.match(stderr, /^[A-Za-z]+: \S.*\n$/);
    }
  });

  it('a malformed action exits 2 with InvalidInput, as the API and the console refuse it', async () => {
    for (const action of ['frobnicate', 's3 GetObject', 's3:']) {
      const { code, stdout, stderr } = await gatehouse(['policy', 'simulate', '--json'], requestFor([readObjects], action));
      assert.equal(code, 2, action);
      assert.equal(stdout, '');
      assert.match(stderr, new RegExp(`^InvalidInput: Invalid action name ${action}: an action is a service prefix and an action name`));
    }
  });

  it('a malformed policy exits 2 with MalformedPolicyDocument', async () => {
    const { code, stderr } = await gatehouse(['policy', 'simulate', '--json'], requestFor([{ Effect: 'Perhaps', Action: '*', Resource: '*' }]));
    assert.equal(code, 2);
    assert.match(stderr, /^MalformedPolicyDocument: /);
  });

  it('refuses an unknown --time-zone with exit 2', async () => {
    const { code, stderr } = await gatehouse(['policy', 'simulate', '--time-zone', 'Mars/Olympus'], requestFor([readObjects]));
    assert.equal(code, 2);
    assert.match(stderr, /time zone/);
  });

  it('exits 2 on a usage error', async () => {
    const { code, stderr } = await gatehouse(['policy', 'simulate', '--no-such-flag'], '{}');
    assert.equal(code, 2);
    assert.match(stderr, /unknown option/);
  });
});
