/**
 * fast-check arbitraries for the policy property tests: identity-style policy
 * documents over a small vocabulary of actions, ARNs, condition keys and
 * operators, and requests (action, resource, context values) over the same
 * vocabulary, so that generated policies and requests actually meet.
 */
import fc from 'fast-check';
import type { ContextValue } from '../../../src/policy/index.js';

export const ACTIONS = ['s3:GetObject', 's3:PutObject', 'iam:ListUsers', 'iam:CreateUser', 'sts:GetCallerIdentity', 'ec2:RunInstances'];

const ACTION_PATTERNS = [...ACTIONS, 's3:*', 's3:Get*', '*', 'iam:?ist*', 'iam:*User*', 'ec2:*', 'S3:getobject', 'sts:*Identity'];

export const RESOURCES = [
  'arn:aws:s3:::photos/alice/cat.jpg',
  'arn:aws:s3:::photos/bob/dog.jpg',
  'arn:aws:s3:::logs',
  'arn:aws:iam::123456789012:user/alice',
  'arn:aws:iam::123456789012:user/ops/bob',
  'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc',
  '*',
];

const RESOURCE_PATTERNS = [
  '*',
  'arn:aws:s3:::photos/*',
  'arn:aws:s3:::photos/${aws:username}/*',
  "arn:aws:s3:::photos/${aws:username, 'bob'}/*",
  'arn:aws:s3:::logs',
  'arn:aws:s3:::*',
  'arn:aws:iam::*:user/*',
  'arn:aws:iam::123456789012:user/${aws:username}',
  'arn:aws:iam::123456789012:user/*/b?b',
  'arn:aws:ec2:*:*:instance/*',
  'arn:aws:*:*:123456789012:*',
];

/** Operator name → (key, candidate values). Operators appear at most once per Condition block. */
const CONDITIONS: Record<string, { key: string; values: string[] }> = {
  StringEquals: { key: 'aws:username', values: ['alice', 'bob', '${aws:username}'] },
  StringNotEquals: { key: 'aws:username', values: ['alice', 'mallory'] },
  StringEqualsIgnoreCase: { key: 'aws:username', values: ['ALICE', 'Bob'] },
  StringLike: { key: 'aws:username', values: ['a*', '?ob', '*'] },
  StringNotLikeIfExists: { key: 'aws:username', values: ['m*', 'b*'] },
  StringEqualsIfExists: { key: 'aws:username', values: ['alice', 'bob'] },
  IpAddress: { key: 'aws:SourceIp', values: ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32', '0.0.0.0/0', '::/0'] },
  NotIpAddress: { key: 'aws:SourceIp', values: ['10.0.0.0/8', '2001:db8::/32'] },
  IpAddressIfExists: { key: 'aws:SourceIp', values: ['192.168.1.0/24', '10.0.0.5'] },
  Bool: { key: 'aws:MultiFactorAuthPresent', values: ['true', 'false'] },
  BoolIfExists: { key: 'aws:MultiFactorAuthPresent', values: ['true', 'false'] },
  'ForAnyValue:StringEquals': { key: 'aws:TagKeys', values: ['team', 'env', 'cost'] },
  'ForAllValues:StringEquals': { key: 'aws:TagKeys', values: ['team', 'env'] },
  'ForAnyValue:StringLike': { key: 'aws:TagKeys', values: ['t*', 'e?v'] },
  'ForAllValues:StringNotEquals': { key: 'aws:TagKeys', values: ['cost'] },
  Null: { key: 'aws:MultiFactorAuthPresent', values: ['true', 'false'] },
};
const NULL_KEYS = ['aws:SourceIp', 'aws:username', 'aws:TagKeys', 'aws:MultiFactorAuthPresent'];

/** One value or a non-empty list of values drawn from `pool`. */
function oneOrMany<T>(pool: readonly T[]): fc.Arbitrary<T | T[]> {
  return fc.oneof(fc.constantFrom(...pool), fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 3 }));
}

const conditionBlock: fc.Arbitrary<Record<string, Record<string, string | string[]>>> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(CONDITIONS)), { minLength: 1, maxLength: 3 })
  .chain((ops) =>
    fc.tuple(
      ...ops.map((op) => {
        const { key, values } = CONDITIONS[op]!;
        const keyArb = op === 'Null' ? fc.constantFrom(...NULL_KEYS) : fc.constant(key);
        return fc.tuple(fc.constant(op), keyArb, oneOrMany(values));
      }),
    ),
  )
  .map((entries) => Object.fromEntries(entries.map(([op, key, values]) => [op, { [key]: values }])));

export type PolicyDoc = { Version: string; Statement: Array<Record<string, unknown>> };

const statement: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: fc.boolean(),
      action: oneOrMany(ACTION_PATTERNS),
      notResource: fc.boolean(),
      resource: oneOrMany(RESOURCE_PATTERNS),
      Condition: conditionBlock,
    },
    { requiredKeys: ['Effect', 'notAction', 'action', 'notResource', 'resource'] },
  )
  .map(({ Effect, notAction, action, notResource, resource, Condition }) => {
    const s: Record<string, unknown> = { Effect };
    s[notAction ? 'NotAction' : 'Action'] = action;
    s[notResource ? 'NotResource' : 'Resource'] = resource;
    if (Condition !== undefined) s.Condition = Condition;
    return s;
  });

/** A policy document with 1–4 statements (identity, session and boundary policies share the grammar). */
export const policyDoc: fc.Arbitrary<PolicyDoc> = fc
  .array(statement, { minLength: 1, maxLength: 4 })
  .map((Statement) => ({ Version: '2012-10-17', Statement }));

export interface RequestSpec {
  action: string;
  resource: string;
  values: Record<string, ContextValue>;
}

const contextValues: fc.Arbitrary<Record<string, ContextValue>> = fc
  .record(
    {
      'aws:SourceIp': fc.constantFrom('10.0.0.5', '192.168.1.9', '203.0.113.7', '2001:db8::1', '::ffff:10.0.0.7', 'not-an-ip'),
      'aws:username': fc.constantFrom('alice', 'bob', 'Alice', 'mallory', '*'),
      'aws:TagKeys': fc.uniqueArray(fc.constantFrom('team', 'env', 'cost'), { maxLength: 3 }),
      'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false', 'TRUE'),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const out: Record<string, ContextValue> = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
    return out;
  });

/** A request; the action's letter case varies, since actions are case-insensitive. */
export const requestSpec: fc.Arbitrary<RequestSpec> = fc.record({
  action: fc.tuple(fc.constantFrom(...ACTIONS), fc.boolean()).map(([a, upper]) => (upper ? a.toUpperCase() : a)),
  resource: fc.constantFrom(...RESOURCES),
  values: contextValues,
});
