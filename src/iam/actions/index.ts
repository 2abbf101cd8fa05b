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
import { wireFidelityActions } from './wire-fidelity.js';

const CORE_ACTIONS: ActionTable = {
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

/** The core table, with the operations added for wire fidelity (wire-fidelity.ts) over it. */
export const IAM_ACTIONS: ActionTable = { ...CORE_ACTIONS, ...wireFidelityActions(CORE_ACTIONS) };

export type { ActionHandler, ActionTable, IamDeps, Input, Operation, Output } from './types.js';
