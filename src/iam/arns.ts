/**
 * ARNs and resource names of IAM entities, and the account quotas Gatehouse enforces.
 */
import { iamArn, parseArn, rootArn } from '../shared/arn.js';

export const userArn = (account: string, path: string, name: string) => iamArn(account, 'user', path, name);
export const groupArn = (account: string, path: string, name: string) => iamArn(account, 'group', path, name);
export const roleArn = (account: string, path: string, name: string) => iamArn(account, 'role', path, name);
export const policyArn = (account: string, path: string, name: string) => iamArn(account, 'policy', path, name);
export const mfaArn = (account: string, path: string, name: string) => iamArn(account, 'mfa', path, name);
export { rootArn };

/** Parses a customer managed policy ARN into its account, path and name. */
export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !a.resource.startsWith('policy/')) return undefined;
  const rest = a.resource.slice('policy'.length);
  const slash = rest.lastIndexOf('/');
  return { account: a.account, path: rest.slice(0, slash + 1), name: rest.slice(slash + 1) };
}

export const QUOTAS = {
  UsersQuota: 5000,
  GroupsQuota: 300,
  RolesQuota: 250,
  PoliciesQuota: 1500,
  GroupsPerUserQuota: 10,
  AttachedPoliciesPerUserQuota: 10,
  AttachedPoliciesPerGroupQuota: 10,
  AttachedPoliciesPerRoleQuota: 10,
  AccessKeysPerUserQuota: 2,
  UserPolicySizeQuota: 2048,
  GroupPolicySizeQuota: 5120,
  RolePolicySizeQuota: 10240,
  PolicySizeQuota: 6144,
  AssumeRolePolicySizeQuota: 2048,
  VersionsPerPolicyQuota: 5,
  PolicyVersionsInUseQuota: 10000,
  MFADevicesQuota: 5000,
} as const;
