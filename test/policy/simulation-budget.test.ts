/**
 * The simulators' work estimate (src/policy/simulation.ts, SECURITY.md H1): strings are
 * weighed against the text they are matched with (Action → the action, Resource → the
 * resource, Condition → the context, Resource with a policy variable → both), so a policy
 * full of action patterns is not charged for a long resource; `?` patterns weigh more
 * than literal ones; and AWS's largest managed policy stays within one pair's ceiling.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsManagedPolicy } from '../../src/iam/managed/catalogue.js';
import { actionNameProblem, pairUnits, policyWeight, SIMULATION_LIMITS, totalWeight } from '../../src/policy/simulation.js';

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('simulation work estimate', () => {
  it('weighs each string against the text it is matched with', () => {
    const actions = policyWeight(doc({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }));
    assert.ok(actions.action > 0);
    assert.equal(actions.statements, 1);
    const long = pairUnits(actions, { action: 12, resource: 2_000, context: 0 });
    const short = pairUnits(actions, { action: 12, resource: 20, context: 0 });
    assert.ok(long - short < 2_000 * 2, 'one `*` resource is all a long resource costs');

    const variable = policyWeight(doc({ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' }));
    assert.ok(variable.resource > 0 && variable.context === variable.resource, 'a policy variable is charged against the context too');

    const condition = policyWeight(doc({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringLike: { 'aws:PrincipalTag/team': ['a*', 'b*'] } } }));
    assert.ok(condition.context > 0);
    assert.ok(pairUnits(condition, { action: 12, resource: 1, context: 100_000 }) > pairUnits(condition, { action: 12, resource: 1, context: 10 }));

    const one = policyWeight(doc({ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'a?'.repeat(100)}` }));
    const literal = policyWeight(doc({ Effect: 'Allow', Action: 's3:*', Resource: `arn:aws:s3:::${'ab'.repeat(100)}` }));
    assert.ok(one.resource > 10 * literal.resource, '`?` patterns weigh more: the matcher scans them word by word');

    const both = totalWeight([actions, condition]);
    assert.deepEqual([both.statements, both.chars], [2, actions.chars + condition.chars]);
  });

  it('ReadOnlyAccess against a 2,048-character resource fits one pair; 1,000 such pairs fit a request', () => {
    const readOnly = awsManagedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess');
    assert.ok(readOnly, 'the AWS managed catalogue has ReadOnlyAccess');
    const units = pairUnits(policyWeight(readOnly.document), { action: 40, resource: 2_048, context: 200 });
    assert.ok(units < SIMULATION_LIMITS.pairUnits, `${units} units`);
    assert.ok(units * 1_000 < SIMULATION_LIMITS.requestUnits, `${units * 1_000} units for 1,000 pairs`);
  });

  it('action names are service:action', () => {
    for (const ok of ['iam:CreateUser', 's3:Get*', 'ec2:Describe?nstances', 'aws-portal:ViewBilling']) assert.equal(actionNameProblem(ok), undefined, ok);
    for (const bad of ['', ' ', 'frobnicate', 's3:', ':Get', 's3:Get Object', 's3:Get:Object', 's3 :Get']) assert.ok(actionNameProblem(bad), `"${bad}"`);
  });
});
