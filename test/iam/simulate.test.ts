/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy end to end: decisions
 * (allowed / explicitDeny / implicitDeny) as the engine gives them, with typed
 * ContextEntries (string, ip, numeric, stringList), through the SDK and the CLI.
 * MatchedStatements as AWS shapes them (issue 13): SourcePolicyId is the policy's name,
 * SourcePolicyType its kind, StartPosition / EndPosition the statement's line and column
 * (AWS's own CLI example gives 1:38 and 1:167). Malformed action names are InvalidInput
 * (issue 11); results come in pages (MaxItems, Marker), which the CLI follows.
 * SECURITY.md H1 and H3 are in simulate-security.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { cliRefused, refused, sdkError } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';


const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const decisions = (results: EvaluationResult[] | undefined) => (results ?? []).map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]);

/** A policy gated on each context type. */
const CONDITIONAL = doc(
  { Sid: 'ByTag', Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } },
  { Sid: 'ByIp', Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
  { Sid: 'ByNumber', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { NumericLessThanEquals: { 'ec2:InstanceCount': '5' } } },
  { Sid: 'ByList', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'owner'] } } },
  { Sid: 'DenyList', Effect: 'Deny', Action: 'sqs:SendMessage', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'forbidden' } } },
);

describe('policy simulation', () => {
  let gh: TestGatehouse;
  let yan: Credentials;

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'xena' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'xena', PolicyName: 'buckets', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'] }) }));
    await iam.send(new CreateGroupCommand({ GroupName: 'no-deletes' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'no-deletes', PolicyName: 'deny', PolicyDocument: doc({ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }) }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'no-deletes', UserName: 'xena' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'reader', PolicyName: 'read', PolicyDocument: doc({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' }) }));
    await iam.send(new CreateUserCommand({ UserName: 'yan' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'yan' }));
    yan = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(() => gh?.close());

  it('SimulatePrincipalPolicy: a user’s own and group policies decide', async () => {
    const { EvaluationResults } = await gh.iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/xena`,
        ActionNames: ['s3:GetObject', 's3:DeleteObject', 'ec2:RunInstances'],
        ResourceArns: ['arn:aws:s3:::reports/q1.csv', 'arn:aws:s3:::other/x'],
      }),
    );
    assert.deepEqual(decisions(EvaluationResults), [
      ['s3:GetObject', 'arn:aws:s3:::reports/q1.csv', 'allowed'],
      ['s3:GetObject', 'arn:aws:s3:::other/x', 'implicitDeny'],
      ['s3:DeleteObject', 'arn:aws:s3:::reports/q1.csv', 'explicitDeny'],
      ['s3:DeleteObject', 'arn:aws:s3:::other/x', 'explicitDeny'],
      ['ec2:RunInstances', 'arn:aws:s3:::reports/q1.csv', 'implicitDeny'],
      ['ec2:RunInstances', 'arn:aws:s3:::other/x', 'implicitDeny'],
    ]);
    const allowed = EvaluationResults![0]!;
    assert.ok((allowed.MatchedStatements ?? []).length > 0, 'the allowing statement is named');

    const role = await gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:role/reader`, ActionNames: ['dynamodb:GetItem', 'dynamodb:PutItem'] }));
    assert.deepEqual(decisions(role.EvaluationResults), [
      ['dynamodb:GetItem', '*', 'allowed'],
      ['dynamodb:PutItem', '*', 'implicitDeny'],
    ]);
    // An added PolicyInputList policy joins the principal's own.
    const extra = await gh.iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${gh.accountId}:role/reader`,
        ActionNames: ['dynamodb:PutItem'],
        PolicyInputList: [doc({ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' })],
      }),
    );
    assert.equal(extra.EvaluationResults?.[0]?.EvalDecision, 'allowed');

    const missing = await sdkError(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/nobody`, ActionNames: ['s3:GetObject'] })));
    assert.deepEqual([missing.name, missing.status], ['NoSuchEntity', 404]);
    const denied = await sdkError(gh.iam(yan).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/xena`, ActionNames: ['s3:GetObject'] })));
    assert.equal(denied.name, 'AccessDenied', 'simulating needs iam:SimulatePrincipalPolicy');
  });

  it('SimulatePrincipalPolicy: the attached permissions boundary caps, unless the request passes another', async () => {
    const iam = gh.iam();
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary-get-only', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }) }));
    await iam.send(new CreateUserCommand({ UserName: 'zed', PermissionsBoundary: Policy!.Arn! }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'zed', PolicyName: 's3', PolicyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) }));
    const simulate = async (boundary?: string) =>
      (
        await iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/zed`,
            ActionNames: ['s3:GetObject', 's3:PutObject', 'ec2:RunInstances'],
            ...(boundary && { PermissionsBoundaryPolicyInputList: [boundary] }),
          }),
        )
      ).EvaluationResults?.map((r) => r.EvalDecision);
    assert.deepEqual(await simulate(), ['allowed', 'implicitDeny', 'implicitDeny']);
    assert.deepEqual(await simulate(doc({ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' })), ['allowed', 'allowed', 'implicitDeny']);
  });

  it('SimulatePrincipalPolicy: an AWS managed policy as the boundary caps too', async () => {
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'reader-bound', PermissionsBoundary: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'reader-bound', PolicyName: 'everything', PolicyDocument: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }));
    const { EvaluationResults } = await iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/reader-bound`, ActionNames: ['s3:GetObject', 's3:PutObject', 'iam:CreateUser'] }),
    );
    assert.deepEqual(EvaluationResults?.map((r) => r.EvalDecision), ['allowed', 'implicitDeny', 'implicitDeny']);
    const boundary = EvaluationResults![0]!.MatchedStatements!.find((m) => m.SourcePolicyId === 'AmazonS3ReadOnlyAccess');
    assert.equal(boundary?.SourcePolicyType, 'none', 'the boundary’s statement is named by the policy’s name');
  });

  it('SimulateCustomPolicy with typed ContextEntries: string, ip, numeric, stringList', async () => {
    const simulate = async (ActionNames: string[], ContextEntries: ContextEntry[]) =>
      (await gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [CONDITIONAL], ActionNames, ContextEntries }))).EvaluationResults?.map((r) => r.EvalDecision);
    const entry = (ContextKeyName: string, ContextKeyType: ContextEntry['ContextKeyType'], ...ContextKeyValues: string[]): ContextEntry => ({ ContextKeyName, ContextKeyType, ContextKeyValues });

    assert.deepEqual(await simulate(['s3:GetObject'], [entry('aws:PrincipalTag/team', 'string', 'blue')]), ['allowed']);
    assert.deepEqual(await simulate(['s3:GetObject'], [entry('aws:PrincipalTag/team', 'string', 'red')]), ['implicitDeny']);
    assert.deepEqual(await simulate(['s3:GetObject'], []), ['implicitDeny'], 'an absent key matches nothing');

    assert.deepEqual(await simulate(['s3:PutObject'], [entry('aws:SourceIp', 'ip', '10.1.2.3')]), ['allowed']);
    assert.deepEqual(await simulate(['s3:PutObject'], [entry('aws:SourceIp', 'ip', '192.168.1.1')]), ['implicitDeny']);

    assert.deepEqual(await simulate(['ec2:RunInstances'], [entry('ec2:InstanceCount', 'numeric', '5')]), ['allowed']);
    assert.deepEqual(await simulate(['ec2:RunInstances'], [entry('ec2:InstanceCount', 'numeric', '6')]), ['implicitDeny']);

    assert.deepEqual(await simulate(['sqs:SendMessage'], [entry('aws:TagKeys', 'stringList', 'env', 'owner')]), ['allowed']);
    assert.deepEqual(await simulate(['sqs:SendMessage'], [entry('aws:TagKeys', 'stringList', 'env', 'cost')]), ['implicitDeny']);
    assert.deepEqual(await simulate(['sqs:SendMessage'], [entry('aws:TagKeys', 'stringList', 'env', 'forbidden')]), ['explicitDeny']);

    // Several actions and context types at once.
    assert.deepEqual(
      await simulate(['s3:GetObject', 's3:PutObject', 'ec2:RunInstances', 'sqs:SendMessage'], [
        entry('aws:PrincipalTag/team', 'string', 'blue'),
        entry('aws:SourceIp', 'ip', '10.9.9.9'),
        entry('ec2:InstanceCount', 'numeric', '1'),
        entry('aws:TagKeys', 'stringList', 'owner'),
      ]),
      ['allowed', 'allowed', 'allowed', 'allowed'],
    );
  });

  it('SimulateCustomPolicy: a permissions boundary caps, a malformed policy is refused', async () => {
    const { EvaluationResults } = await gh.iam().send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc({ Effect: 'Allow', Action: ['s3:*', 'ec2:*'], Resource: '*' })],
        PermissionsBoundaryPolicyInputList: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
        ActionNames: ['s3:ListBucket', 'ec2:StopInstances'],
      }),
    );
    assert.deepEqual(EvaluationResults?.map((r) => r.EvalDecision), ['allowed', 'implicitDeny']);
    const bad = await sdkError(gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":'], ActionNames: ['s3:GetObject'] })));
    assert.deepEqual([bad.name, bad.status], ['MalformedPolicyDocument', 400]);
  });

  it('the AWS CLI: simulate-custom-policy with context entries, simulate-principal-policy', async () => {
    const custom = await gh.cli([
      'iam', 'simulate-custom-policy',
      '--policy-input-list', CONDITIONAL,
      '--action-names', 's3:PutObject', 'ec2:RunInstances',
      '--context-entries',
      'ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.1,ContextKeyType=ip',
      'ContextKeyName=ec2:InstanceCount,ContextKeyValues=9,ContextKeyType=numeric',
    ]);
    assert.equal(custom.status, 0, custom.stderr);
    assert.deepEqual(custom.json.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision), ['allowed', 'implicitDeny']);

    const principal = await gh.cli(['iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${gh.accountId}:user/xena`, '--action-names', 's3:GetObject', 's3:DeleteObject', '--resource-arns', 'arn:aws:s3:::reports/a']);
    assert.equal(principal.status, 0, principal.stderr);
    assert.deepEqual(principal.json.EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision), ['allowed', 'explicitDeny']);
  });
  it('MatchedStatements: SourcePolicyId and SourcePolicyType as AWS names them, with the statement positions', async () => {
    // The AWS CLI's own example (awscli/examples/iam/simulate-custom-policy.rst): 1:38 to 1:167.
    // (Positions observed from IAM for AdministratorAccess, stored with 2-space indents: 3:17 to 8:6,
    // i.e. just after `[` to just after the statement's `}`; statementSpans gives the same.)
    const example = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const custom = await gh.iam().send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [example],
        ActionNames: ['dynamodb:CreateBackup'],
        ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
      }),
    );
    assert.deepEqual(custom.EvaluationResults?.[0]?.MatchedStatements, [
      { SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 } },
    ]);

    // A user's inline policy (pretty-printed), a group's and an attached managed one.
    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'alejandro' }));
    const pretty = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Other', Effect: 'Allow', Action: 'sqs:*', Resource: '*' }, { Sid: 'List', Effect: 'Allow', Action: 'codecommit:ListRepositories', Resource: '*' }] }, null, 4);
    await iam.send(new PutUserPolicyCommand({ UserName: 'alejandro', PolicyName: 'Grant-Access-To-CodeCommit-ListRepo', PolicyDocument: pretty }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'codecommit-read', Path: '/team/', PolicyDocument: doc({ Effect: 'Allow', Action: 'codecommit:List*', Resource: '*' }) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alejandro', PolicyArn: Policy!.Arn! }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'no-deletes', UserName: 'alejandro' }));
    const principal = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/alejandro`, ActionNames: ['codecommit:ListRepositories', 's3:DeleteObject'] }));
    const [list, del] = principal.EvaluationResults!;
    // IAM answers "IAM Policy" for inline and managed policies alike (its API reference's enum notwithstanding).
    assert.deepEqual(
      list!.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]),
      [
        ['Grant-Access-To-CodeCommit-ListRepo', 'IAM Policy'],
        ['codecommit-read', 'IAM Policy'],
      ],
    );
    // The second statement of the pretty document: just after the first one's `}` (line 9, column 9) to just after its own (line 15).
    assert.deepEqual([list!.MatchedStatements![0]!.StartPosition, list!.MatchedStatements![0]!.EndPosition], [{ Line: 9, Column: 10 }, { Line: 15, Column: 10 }]);
    assert.deepEqual(del!.MatchedStatements?.map((m) => [m.SourcePolicyId, m.SourcePolicyType]), [['deny', 'IAM Policy']]);
    assert.equal(del!.EvalDecision, 'explicitDeny');
    for (const m of [...list!.MatchedStatements!, ...del!.MatchedStatements!]) assert.doesNotMatch(m.SourcePolicyId!, /inline:|^arn:/);
  });

  it('a malformed or empty action name is refused (InvalidInput / ValidationError), and nothing is simulated', async () => {
    const policy = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
    await refused(gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['frobnicate'] })), 'InvalidInput', /Invalid action name frobnicate: an action is a service prefix and an action name, for example iam:CreateUser\./);
    await refused(gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['s3:GetObject', 's3 GetObject'] })), 'InvalidInput', /Invalid action name s3 GetObject/);
    await refused(gh.iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${gh.accountId}:user/xena`, ActionNames: ['frobnicate'] })), 'InvalidInput');
    await refused(gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: [''] })), 'ValidationError', /Member must have length greater than or equal to 3/);
    cliRefused(await gh.cli(['iam', 'simulate-custom-policy', '--policy-input-list', policy, '--action-names', 'frobnicate']), 'InvalidInput', /Invalid action name frobnicate/);
  });

  it('results come in pages: MaxItems and Marker; a forged Marker is InvalidInput; the CLI follows the pages', async () => {
    const policy = doc({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' });
    const ActionNames = ['s3:GetObject', 's3:PutObject', 's3:GetBucketPolicy'];
    const first = await gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames, ResourceArns: ['arn:aws:s3:::a', 'arn:aws:s3:::b'], MaxItems: 4 }));
    assert.deepEqual(decisions(first.EvaluationResults).map((d) => d[2]), ['allowed', 'allowed', 'implicitDeny', 'implicitDeny']);
    assert.equal(first.IsTruncated, true);
    const second = await gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames, ResourceArns: ['arn:aws:s3:::a', 'arn:aws:s3:::b'], MaxItems: 4, Marker: first.Marker! }));
    assert.deepEqual(decisions(second.EvaluationResults), [
      ['s3:GetBucketPolicy', 'arn:aws:s3:::a', 'allowed'],
      ['s3:GetBucketPolicy', 'arn:aws:s3:::b', 'allowed'],
    ]);
    assert.equal(second.IsTruncated, false);
    assert.equal(second.Marker, undefined);
    await refused(gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames, MaxItems: 1, Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidInput', /Invalid Marker/);

    // 150 actions: two pages of AWS's default 100, which the CLI joins.
    const many = Array.from({ length: 150 }, (_, i) => `s3:Get${i}`);
    const cli = await gh.cli(['iam', 'simulate-custom-policy', '--policy-input-list', policy, '--action-names', ...many]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(cli.json.EvaluationResults.length, 150);
    const sdkPage = await gh.iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: many }));
    assert.deepEqual([sdkPage.EvaluationResults?.length, sdkPage.IsTruncated], [100, true]);
  });
});
