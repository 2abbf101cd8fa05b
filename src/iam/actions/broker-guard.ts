/**
 * The broker is protected: it is the IAM user (`federation.broker`) the portal acts as to issue
 * every permission set's credentials and console sessions. Deleting it would break every
 * "Open console" and "Command-line credentials" click, so DeleteUser refuses it, over the API
 * and in the console alike, with a DeleteConflict that says what the user does. Renaming it
 * (UpdateUser NewUserName) would break them the same way: UnmodifiableEntity. Moving it to
 * another path keeps its name and stays allowed.
 * Removing or denying its permissions stays possible: that is how an administrator revokes
 * every session it issued (the portal then explains the broker's state to people).
 */
import { DeleteConflict, UnmodifiableEntity } from '../../shared/errors.js';
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

/** Throws UnmodifiableEntity when `newName` would rename the portal's broker. */
export function refuseBrokerRename(op: Operation, user: Pick<UserRecord, 'name'>, newName: string | undefined): void {
  if (newName === undefined || newName.toLowerCase() === user.name.toLowerCase() || !isBroker(op, user)) return;
  throw new UnmodifiableEntity(
    `Cannot rename user ${user.name}: it is Gatehouse's broker (federation.broker), the user the portal issues every permission set's credentials and console sessions as. Name another broker in federation.broker first.`,
  );
}
