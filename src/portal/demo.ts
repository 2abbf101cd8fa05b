/**
 * The out-of-the-box demo (embedded directory, no permission sets configured):
 * creates, once, the roles and the broker policy behind three demo permission sets.
 * - Admin (group `admins`): AssumeRole of GatehouseDemoAdmin — full IAM in the console.
 * - Developer (group `developers`, nested under `engineering`): GetFederationToken with a
 *   session policy for S3, EC2 describe and DynamoDB (visible in the console's simulator;
 *   federated sessions cannot call IAM, as in AWS).
 * - ReadOnly (group `auditors`): AssumeRole of GatehouseDemoReadOnly — IAM reads only.
 * The broker gets a policy allowing exactly what these sets need.
 */
import { newId } from '../shared/ids.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/types.js';
import { userArn } from '../iam/arns.js';
import type { PermissionSet } from './permission-sets.js';

const doc = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

const DEVELOPER_POLICY = doc([
  { Sid: 'Storage', Effect: 'Allow', Action: ['s3:*', 'dynamodb:*'], Resource: '*' },
  { Sid: 'Describe', Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
]);

interface DemoRole {
  name: string;
  policy: string;
}

const ROLES: DemoRole[] = [
  { name: 'GatehouseDemoAdmin', policy: doc([{ Effect: 'Allow', Action: ['iam:*', 'sts:GetCallerIdentity'], Resource: '*' }]) },
  { name: 'GatehouseDemoReadOnly', policy: doc([{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*', 'iam:Simulate*'], Resource: '*' }]) },
];

export async function ensureDemo(store: Store, clock: Clock, accountId: string, brokerName: string): Promise<PermissionSet[]> {
  const broker = await store.users.get(accountId, brokerName);
  if (!broker) throw new Error(`demo: the broker user ${brokerName} does not exist`);
  const brokerArn = userArn(accountId, broker.path, broker.name);
  const trust = doc([{ Effect: 'Allow', Principal: { AWS: brokerArn }, Action: 'sts:AssumeRole' }]);
  const roleArn = (name: string) => `arn:aws:iam::${accountId}:role/gatehouse/${name}`;
  await store.transaction(async (tx) => {
    for (const r of ROLES) {
      if (await tx.roles.get(accountId, r.name)) continue;
      const id = newId('role');
      await tx.roles.create({ id, accountId, name: r.name, path: '/gatehouse/', assumeRolePolicy: trust, description: 'Gatehouse demo role', maxSessionDuration: 43_200, permissionsBoundary: null, tags: [], createdAt: clock.now() });
      await tx.inlinePolicies.put({ ownerKind: 'role', ownerId: id, name: 'demo', document: r.policy });
    }
    if (!(await tx.inlinePolicies.get('user', broker.id, 'gatehouse-demo-broker'))) {
      await tx.inlinePolicies.put({
        ownerKind: 'user',
        ownerId: broker.id,
        name: 'gatehouse-demo-broker',
        document: doc([
          { Sid: 'Mint', Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: `arn:aws:sts::${accountId}:federated-user/*` },
          { Sid: 'Roles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLES.map((r) => roleArn(r.name)) },
          { Sid: 'DeveloperCeiling', Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'ec2:Describe*'], Resource: '*' },
        ]),
      });
    }
  });
  return [
    { name: 'Admin', description: 'Administer IAM in the console (role GatehouseDemoAdmin)', groups: ['admins'], via: 'role', roleArn: roleArn('GatehouseDemoAdmin'), policyArns: [], sessionHours: 1 },
    { name: 'Developer', description: 'S3, DynamoDB and EC2 describe (federated session)', groups: ['developers'], via: 'federation', policy: DEVELOPER_POLICY, policyArns: [], sessionHours: 8 },
    { name: 'ReadOnly', description: 'Read IAM in the console (role GatehouseDemoReadOnly)', groups: ['auditors', 'readonly'], via: 'role', roleArn: roleArn('GatehouseDemoReadOnly'), policyArns: [], sessionHours: 1 },
  ];
}
