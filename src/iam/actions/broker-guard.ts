/**
 * The broker is protected: it is the IAM user (`federation.broker`) the portal acts as to issue
 * every permission set's credentials and console sessions. Deleting it would break every
 * "Open console" and "Command-line credentials" click, so DeleteUser refuses it, over the API
 * and in the console alike, with a DeleteConflict that says what the user does.
 * Removing or denying its permissions stays possible: that is how an administrator revokes
 * every session it issued (the portal then explains the broker's state to people).
 */
import { DeleteConflict } from '../../shared/errors.js';
import type { UserRecord } from '../../store/types.js';
import type { Operation } from './types.js';

export function isBroker(op: Operation, user: Pick<UserRecord, 'name'>): boolean {
  const broker = op.deps.brokerName;
  return broker !== undefined && user.name.toLowerCase() === broker.toLowerCase();
}

/** Throws DeleteConflict when `user` is the portal's broker. */
export function refuseBrokerDeletion(op: Operation, user: Pick<UserRecord, 'name'>): void {
  if (!isBroker(op, user)) return;
  throw new DeleteConflict(
    `Cannot delete entity, user ${user.name} is Gatehouse's broker (federation.broker): the portal issues every permission set's credentials and console sessions as this user, so deleting it would stop the portal. To revoke what it issued, remove or deny its policies instead; to retire it, name another broker in federation.broker first.`,
  );
}
