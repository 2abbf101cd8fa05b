/**
 * The IAM action table: every IAM query-protocol action Gatehouse serves, by
 * name. An explicit table, never derived by reflection.
 */
import { accessKeyActions } from './keys.js';
import { accountActions } from './account.js';
import { attachmentActionTable } from './attachments.js';
import { groupActions } from './groups.js';
import { inlinePolicyActions } from './inline.js';
import { managedPolicyActions } from './managed.js';
import { mfaActions } from './mfa.js';
import { passwordActions } from './passwords.js';
import { roleActions } from './roles.js';
import { simulateActions } from './simulate.js';
import type { ActionTable } from './types.js';
import { userActions } from './users.js';

export const IAM_ACTIONS: ActionTable = {
  ...userActions,
  ...groupActions,
  ...roleActions,
  ...inlinePolicyActions,
  ...managedPolicyActions,
  ...attachmentActionTable,
  ...accessKeyActions,
  ...passwordActions,
  ...mfaActions,
  ...accountActions,
  ...simulateActions,
};

export type { ActionHandler, ActionTable, IamDeps, Input, Operation, Output } from './types.js';
