/**
 * The IAM operations added for AWS wire fidelity (issue 13), and the core handlers they
 * extend: tags of roles, policies and MFA devices; UpdateRoleDescription and RoleLastUsed;
 * ListEntitiesForPolicy; GetAccountAuthorizationDetails; context keys; signing certificates;
 * instance profiles; the full GetAccountSummary. Spread after the core table (index.ts).
 */
import { accountSummaryActions } from './account-summary.js';
import { authorizationDetailsActions } from './authorization-details.js';
import { contextKeyActions } from './context-keys.js';
import { entityActions } from './entities.js';
import { instanceProfileActions, roleDeletionGuard } from './instance-profiles.js';
import { roleExtraActions } from './roles-extra.js';
import { signingCertificateActions, userDeletionGuard } from './signing-certificates.js';
import { taggingActions } from './tagging.js';
import type { ActionTable } from './types.js';

export function wireFidelityActions(core: ActionTable): ActionTable {
  return {
    ...taggingActions(core),
    ...roleExtraActions(core),
    ...roleDeletionGuard(core),
    ...userDeletionGuard(core),
    ...entityActions,
    ...authorizationDetailsActions,
    ...contextKeyActions,
    ...signingCertificateActions,
    ...instanceProfileActions,
    ...accountSummaryActions,
  };
}
