/**
 * The policy workloads of the benchmark:
 * (a) one user with 3 small policies;
 * (b) a principal with 20 policies of 10 statements each, with conditions and variables;
 * (c) (b) plus a session policy and a permissions boundary;
 * (d) a user with AWS's ReadOnlyAccess managed policy attached.
 * Requests rotate over a mix that is allowed, implicitly denied and explicitly denied.
 */
import type { ContextValue, PolicyEntry, PolicySet } from '../src/policy/index.js';
import { parsePolicy } from '../src/policy/index.js';
import { awsManagedPolicy } from '../src/iam/managed/catalogue.js';

const ACCOUNT = '111122223333';
const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const entry = (name: string, text: string, kind: 'identity' | 'session' | 'boundary' = 'identity'): PolicyEntry => ({ name, policy: parsePolicy(text, { kind }) });

export const SMALL_POLICIES = [
  doc([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }]),
  doc([{ Effect: 'Allow', Action: 'iam:Get*', Resource: `arn:aws:iam::${ACCOUNT}:user/*` }]),
  doc([{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }]),
];

/** Statement j of policy i in the large set: varied actions, resources, conditions and variables. */
function largeStatement(i: number, j: number): object {
  const svc = ['s3', 'ec2', 'dynamodb', 'iam', 'sqs'][(i + j) % 5]!;
  const effect = j === 9 ? 'Deny' : 'Allow';
  const conditions: object[] = [
    { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } },
    { StringEquals: { 'aws:PrincipalTag/team': `team${i}` } },
    { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
    { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['cost*', 'owner'] } },
    { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } },
    { StringLike: { 'aws:userid': ['AIDA*', '*:${aws:username}'] } },
    { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/team${i}/*` } },
  ];
  return {
    Sid: `P${i}S${j}`,
    Effect: effect,
    Action: [`${svc}:Get*`, `${svc}:Describe${j}*`, `${svc}:Put${i}Item`],
    Resource: j % 3 === 0 ? `arn:aws:${svc}:*:${ACCOUNT}:${svc}-${i}/\${aws:username}/*` : `arn:aws:${svc}:us-east-1:${ACCOUNT}:${svc}-${i}-${j}/*`,
    Condition: Object.assign({}, conditions[(i + j) % conditions.length], conditions[(i * 3 + j) % conditions.length]),
  };
}

export const LARGE_POLICIES = Array.from({ length: 20 }, (_, i) => doc(Array.from({ length: 10 }, (_, j) => largeStatement(i, j))));
export const SESSION_POLICY = doc([
  { Effect: 'Allow', Action: ['s3:*', 'ec2:Describe*', 'dynamodb:Get*', 'iam:Get*'], Resource: '*' },
  { Effect: 'Deny', Action: 'iam:*', Resource: `arn:aws:iam::${ACCOUNT}:role/admin*` },
]);
export const BOUNDARY_POLICY = doc([
  { Effect: 'Allow', NotAction: ['iam:Create*', 'iam:Delete*'], Resource: '*', Condition: { IpAddressIfExists: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } } },
  { Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } },
]);

export function workloadA(): PolicySet {
  return { principalType: 'User', identity: SMALL_POLICIES.map((t, i) => entry(`small${i}`, t)) };
}
export function workloadB(): PolicySet {
  return { principalType: 'User', identity: LARGE_POLICIES.map((t, i) => entry(`large${i}`, t)) };
}
export function workloadC(): PolicySet {
  return { ...workloadB(), principalType: 'AssumedRole', session: [entry('session', SESSION_POLICY, 'session')], boundary: entry('boundary', BOUNDARY_POLICY, 'boundary') };
}

export interface BenchRequest {
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
}

const CONTEXT: Record<string, ContextValue> = {
  'aws:SourceIp': '10.20.30.40',
  'aws:username': 'alice',
  'aws:userid': 'AIDAEXAMPLEUSERID0001',
  'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/team3/alice`,
  'aws:PrincipalTag/team': 'team3',
  'aws:MultiFactorAuthPresent': 'true',
  'aws:MultiFactorAuthAge': '120',
  'aws:SecureTransport': 'true',
  'aws:TagKeys': ['owner', 'env'],
  'aws:PrincipalType': 'User',
};

export const SMALL_REQUESTS: BenchRequest[] = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/2026/q1.csv', context: CONTEXT },
  { action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: CONTEXT },
  { action: 's3:DeleteObject', resource: 'arn:aws:s3:::reports/x', context: CONTEXT },
  { action: 'ec2:RunInstances', resource: '*', context: CONTEXT },
];

/** A mix for (b) and (c): allowed, implicitly denied and explicitly denied requests. */
export const LARGE_REQUESTS: BenchRequest[] = [
  { action: 's3:GetObject', resource: `arn:aws:s3:us-east-1:${ACCOUNT}:s3-3-2/obj`, context: CONTEXT },
  { action: 's3:GetObject', resource: `arn:aws:s3:us-east-1:${ACCOUNT}:s3-3-7/k`, context: CONTEXT },
  { action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:iam-3/alice/x`, context: CONTEXT },
  { action: 's3:GetObject', resource: `arn:aws:s3:us-east-1:${ACCOUNT}:s3-1/alice/k`, context: CONTEXT },
  { action: 's3:GetObject', resource: `arn:aws:s3:us-east-1:${ACCOUNT}:s3-1-4/k`, context: CONTEXT },
  { action: 'ec2:Describe4Instances', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:ec2-7-4/i-1`, context: CONTEXT },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob`, context: CONTEXT },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue`, context: CONTEXT },
];

/** (d) a user with AWS's ReadOnlyAccess attached (about 1,400 action patterns), from the shipped catalogue. */
export function workloadReadOnly(): PolicySet {
  const p = awsManagedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess');
  if (!p) throw new Error('ReadOnlyAccess is missing from the catalogue');
  return { principalType: 'User', identity: [entry(p.arn, p.document)] };
}

/** A mix for (d): reads allowed by ReadOnlyAccess, and writes it does not allow. */
export const READ_ONLY_REQUESTS: BenchRequest[] = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::reports/2026/q1.csv', context: CONTEXT },
  { action: 'ec2:DescribeInstances', resource: '*', context: CONTEXT },
  { action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/alice`, context: CONTEXT },
  { action: 'dynamodb:Query', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t`, context: CONTEXT },
  { action: 'cloudwatch:GetMetricData', resource: '*', context: CONTEXT },
  { action: 's3:PutObject', resource: 'arn:aws:s3:::reports/x', context: CONTEXT },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob`, context: CONTEXT },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue`, context: CONTEXT },
];
