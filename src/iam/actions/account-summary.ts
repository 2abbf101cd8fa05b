/**
 * GetAccountSummary with every key AWS returns: usage counts of the account and the quotas
 * Gatehouse enforces (AWS's defaults), including instance profiles, signing certificates,
 * identity providers and server certificates (none of the last two here: 0).
 */
import { QUOTAS } from '../arns.js';
import { INSTANCE_PROFILES_QUOTA } from './instance-profiles.js';
import { SIGNING_CERTIFICATES_PER_USER } from './signing-certificates.js';
import type { Operation, IamActionTable } from './types.js';

/** Policy versions in use: every version of the attached customer policies, and each attached AWS policy's default. */
async function policyVersionsInUse(op: Operation): Promise<number> {
  const { store } = op.deps;
  const id = op.caller.accountId;
  let n = (await store.awsPolicyAttachments.counts(id)).size;
  let after: string | undefined;
  do {
    const page = await store.managedPolicies.list(id, { limit: 1000, onlyAttached: true, ...(after && { after }) });
    for (const p of page.items) n += (await store.managedPolicies.listVersions(p.id)).length;
    after = page.marker;
  } while (after !== undefined);
  return n;
}

export const accountSummaryActions = {
  GetAccountSummary: {
    async run(_input, op) {
      const { store } = op.deps;
      const id = op.caller.accountId;
      const devices = await store.mfaDevices.list(id, { limit: 1000 });
      const rootKeys = await store.accessKeys.listFor(id, null);
      const rootCerts = await store.signingCertificates.listFor(id, null);
      return {
        SummaryMap: {
          Users: await store.users.count(id),
          UsersQuota: QUOTAS.UsersQuota,
          Groups: await store.groups.count(id),
          GroupsQuota: QUOTAS.GroupsQuota,
          Roles: await store.roles.count(id),
          RolesQuota: QUOTAS.RolesQuota,
          Policies: await store.managedPolicies.count(id),
          PoliciesQuota: QUOTAS.PoliciesQuota,
          PolicySizeQuota: QUOTAS.PolicySizeQuota,
          PolicyVersionsInUse: await policyVersionsInUse(op),
          PolicyVersionsInUseQuota: QUOTAS.PolicyVersionsInUseQuota,
          VersionsPerPolicyQuota: QUOTAS.VersionsPerPolicyQuota,
          InstanceProfiles: await store.instanceProfiles.count(id),
          InstanceProfilesQuota: INSTANCE_PROFILES_QUOTA,
          ServerCertificates: 0,
          ServerCertificatesQuota: 20,
          Providers: 0,
          MFADevices: devices.items.length,
          MFADevicesInUse: devices.items.filter((d) => d.userId !== null).length,
          AccountMFAEnabled: 0,
          AccountAccessKeysPresent: rootKeys.length > 0 ? 1 : 0,
          AccountSigningCertificatesPresent: rootCerts.length > 0 ? 1 : 0,
          AccountPasswordPresent: 0,
          AccessKeysPerUserQuota: QUOTAS.AccessKeysPerUserQuota,
          SigningCertificatesPerUserQuota: SIGNING_CERTIFICATES_PER_USER,
          GroupsPerUserQuota: QUOTAS.GroupsPerUserQuota,
          UserPolicySizeQuota: QUOTAS.UserPolicySizeQuota,
          GroupPolicySizeQuota: QUOTAS.GroupPolicySizeQuota,
          RolePolicySizeQuota: QUOTAS.RolePolicySizeQuota,
          AssumeRolePolicySizeQuota: QUOTAS.AssumeRolePolicySizeQuota,
          AttachedPoliciesPerUserQuota: QUOTAS.AttachedPoliciesPerUserQuota,
          AttachedPoliciesPerGroupQuota: QUOTAS.AttachedPoliciesPerGroupQuota,
          AttachedPoliciesPerRoleQuota: QUOTAS.AttachedPoliciesPerRoleQuota,
          GlobalEndpointTokenVersion: 1,
        },
      };
    },
  },
} satisfies IamActionTable;
