/**
 * The directory contract the portal depends on. Like dex's PasswordConnector, a wrong password is
 * a value (`{ ok: false, reason: 'invalid-credentials' }`), not an exception; a directory that is
 * down, slow or misconfigured is `reason: 'unavailable'` (the portal answers 503).
 */
import { ServiceUnavailable } from '../shared/errors.js';

/** A signed-in directory user. */
export interface DirectoryUser {
  /** The login name as the directory spells it (e.g. the entry's `uid` or `sAMAccountName`). */
  username: string;
  /** The user's DN, as the directory returned it. It changes when the person moves OU. */
  dn: string;
  /**
   * The person's stable identity, which survives a move or rename: Active Directory's
   * `objectGUID` (as a GUID string) or OpenLDAP's `entryUUID`; absent when the directory sends
   * neither (the embedded demo).
   */
  stableId?: string;
  displayName?: string;
  email?: string;
  /** Every group the user is in, nested groups included, as normalised DNs (see `normalizeDn`). */
  groups: string[];
}

export type LoginResult =
  | { ok: true; user: DirectoryUser }
  /** Unknown user, wrong password, disabled or locked account, refused input: one generic answer. */
  | { ok: false; reason: 'invalid-credentials' }
  /** The directory could not answer within the deadline, or answered with a fault. */
  | { ok: false; reason: 'unavailable'; error: Error };

export interface DirectoryConnector {
  /** Checks a username and password. Never throws; never resolves later than its deadline. */
  login(username: unknown, password: unknown): Promise<LoginResult>;
  /**
   * The current groups of a signed-in user, read with the service account (no password);
   * undefined when the user no longer exists. Throws DirectoryUnavailable when the directory
   * cannot answer.
   */
  currentGroups(username: string): Promise<string[] | undefined>;
  /** Readiness: can the service account bind within the deadline? Never throws. */
  ping(): Promise<boolean>;
  /** Stops accepting logins and releases resources. */
  close(): Promise<void>;
}

/**
 * Why a login was refused. Written only to the server log (the caller always sees the generic
 * `invalid-credentials`).
 */
export type RefusalReason =
  | 'username-missing'
  | 'username-not-string'
  | 'username-blank'
  | 'username-too-long'
  | 'username-metacharacters'
  | 'password-missing'
  | 'password-not-string'
  | 'password-blank'
  | 'password-too-long'
  | 'unknown-user'
  | 'ambiguous-user'
  | 'bad-password'
  | 'account-disabled'
  | 'account-locked'
  | 'account-expired'
  | 'password-expired'
  | 'password-must-change'
  | 'logon-hours'
  | 'logon-workstation'
  /** An Active Directory sub-code not known here (logged raw as `adCode`). */
  | 'directory-refused'
  | 'closed';

/**
 * The `error` of an `unavailable` result (never thrown by `login`). A 503 `ServiceUnavailable`:
 * its message names the fault for the log and is never shown to the caller.
 */
export class DirectoryUnavailable extends ServiceUnavailable {}
