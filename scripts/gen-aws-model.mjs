#!/usr/bin/env node
/**
 * Generates the trimmed AWS service models the query protocol codec is driven by
 * (src/http/query/model/{iam,sts}.json) from botocore's models, as shipped by
 * Debian's awscli package. Only the operations Gatehouse implements are kept,
 * with the shapes they reach, without documentation.
 *
 *   node scripts/gen-aws-model.mjs [/usr/lib/python3/dist-packages/awscli/botocore/data]
 */
import { readFileSync, writeFileSync } from 'node:fs';

const root = process.argv[2] ?? '/usr/lib/python3/dist-packages/awscli/botocore/data';
const SERVICES = {
  iam: {
    file: 'iam/2010-05-08/service-2.json',
    operations: `CreateUser GetUser ListUsers UpdateUser DeleteUser TagUser UntagUser ListUserTags
      PutUserPermissionsBoundary DeleteUserPermissionsBoundary PutRolePermissionsBoundary DeleteRolePermissionsBoundary
      CreateGroup GetGroup ListGroups UpdateGroup DeleteGroup AddUserToGroup RemoveUserFromGroup ListGroupsForUser
      CreateRole GetRole ListRoles UpdateRole UpdateAssumeRolePolicy DeleteRole
      PutUserPolicy GetUserPolicy DeleteUserPolicy ListUserPolicies
      PutGroupPolicy GetGroupPolicy DeleteGroupPolicy ListGroupPolicies
      PutRolePolicy GetRolePolicy DeleteRolePolicy ListRolePolicies
      CreatePolicy GetPolicy DeletePolicy ListPolicies CreatePolicyVersion GetPolicyVersion ListPolicyVersions
      DeletePolicyVersion SetDefaultPolicyVersion
      AttachUserPolicy DetachUserPolicy AttachGroupPolicy DetachGroupPolicy AttachRolePolicy DetachRolePolicy
      ListAttachedUserPolicies ListAttachedGroupPolicies ListAttachedRolePolicies
      CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey GetAccessKeyLastUsed
      CreateLoginProfile GetLoginProfile UpdateLoginProfile DeleteLoginProfile ChangePassword
      UpdateAccountPasswordPolicy GetAccountPasswordPolicy DeleteAccountPasswordPolicy
      CreateVirtualMFADevice EnableMFADevice DeactivateMFADevice ResyncMFADevice ListMFADevices
      ListVirtualMFADevices DeleteVirtualMFADevice
      CreateAccountAlias ListAccountAliases DeleteAccountAlias GetAccountSummary
      SimulatePrincipalPolicy SimulateCustomPolicy
      TagRole UntagRole ListRoleTags UpdateRoleDescription ListEntitiesForPolicy
      TagPolicy UntagPolicy ListPolicyTags TagMFADevice UntagMFADevice ListMFADeviceTags
      GetAccountAuthorizationDetails GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy
      UploadSigningCertificate ListSigningCertificates UpdateSigningCertificate DeleteSigningCertificate
      CreateInstanceProfile DeleteInstanceProfile GetInstanceProfile ListInstanceProfiles
      AddRoleToInstanceProfile RemoveRoleFromInstanceProfile ListInstanceProfilesForRole`.split(/\s+/),
  },
  sts: {
    file: 'sts/2011-06-15/service-2.json',
    operations: ['GetFederationToken', 'GetSessionToken', 'AssumeRole', 'GetCallerIdentity'],
  },
};

const KEEP = ['type', 'required', 'min', 'max', 'pattern', 'enum', 'member', 'key', 'value', 'members', 'flattened', 'locationName'];

for (const [name, svc] of Object.entries(SERVICES)) {
  const model = JSON.parse(readFileSync(`${root}/${svc.file}`, 'utf8'));
  const shapes = {};
  const visit = (shapeName) => {
    if (!shapeName || shapes[shapeName]) return;
    const src = model.shapes[shapeName];
    if (!src) throw new Error(`${name}: no shape ${shapeName}`);
    const out = {};
    for (const k of KEEP) if (src[k] !== undefined) out[k] = src[k];
    if (out.members) {
      out.members = Object.fromEntries(Object.entries(out.members).map(([m, v]) => [m, { shape: v.shape, ...(v.locationName ? { locationName: v.locationName } : {}) }]));
    }
    for (const k of ['member', 'key', 'value']) if (out[k]) out[k] = { shape: out[k].shape, ...(out[k].locationName ? { locationName: out[k].locationName } : {}) };
    shapes[shapeName] = out;
    for (const m of Object.values(out.members ?? {})) visit(m.shape);
    for (const k of ['member', 'key', 'value']) if (out[k]) visit(out[k].shape);
  };
  const operations = {};
  for (const op of svc.operations) {
    const o = model.operations[op];
    if (!o) throw new Error(`${name}: no operation ${op}`);
    operations[op] = { input: o.input?.shape ?? null, output: o.output?.shape ?? null, resultWrapper: o.output?.resultWrapper ?? null };
    visit(o.input?.shape);
    visit(o.output?.shape);
  }
  const out = { metadata: { apiVersion: model.metadata.apiVersion, xmlNamespace: model.metadata.xmlNamespace, source: `botocore ${svc.file}` }, operations, shapes };
  writeFileSync(new URL(`../src/http/query/model/${name}.json`, import.meta.url), JSON.stringify(out, null, 1) + '\n');
  console.log(`${name}: ${Object.keys(operations).length} operations, ${Object.keys(shapes).length} shapes`);
}
