/**
 * The store's records and repository interfaces. Domain code (src/iam, src/sts, …)
 * depends on these only; adapters (SQLite, PostgreSQL) implement them, and one
 * conformance suite (test/store/conformance.ts) checks every adapter.
 *
 * Conventions:
 * - Times are epoch milliseconds (numbers).
 * - Names are unique per account case-insensitively; `create*` throws `UniqueViolation` on a clash.
 * - `get*` returns undefined when absent; `delete*` returns whether a row was removed.
 * - Lists are keyset-paginated by lower-cased name (or id where stated): `after` is the
 *   marker returned by the previous page, and a page costs the same however many rows exist.
 * - Every write bumps the account's `revision`, so caches of effective permissions
 *   can tell that something changed.
 * - `transaction(fn)` runs fn atomically: all of its writes commit, or none do.
 */
import type { AwsPolicyAttachmentRepository, InstanceProfileRepository, RoleUsageRepository, SigningCertificateRepository, TagRepository } from './types-iam-extras.js';
import type { AuditEventRepository } from './types-audit.js';
import type { KeyStatus, OwnerKind, Page, PageRequest, RoleRecord, Tag } from './types-common.js';
export type * from './types-audit.js';
export type * from './types-common.js';

export type * from './types-iam-extras.js';

export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  maxPasswordAge: number | null;
  passwordReusePrevention: number | null;
  hardExpiry: boolean;
}

export interface AccountRecord {
  id: string;
  alias: string | null;
  passwordPolicy: PasswordPolicy | null;
  createdAt: number;
  revision: number;
}

export interface UserRecord {
  id: string;
  accountId: string;
  name: string;
  path: string;
  permissionsBoundary: string | null;
  tags: Tag[];
  createdAt: number;
  passwordLastUsed: number | null;
}

export interface GroupRecord {
  id: string;
  accountId: string;
  name: string;
  path: string;
  createdAt: number;
}

export interface InlinePolicyRecord {
  ownerKind: OwnerKind;
  ownerId: string;
  name: string;
  document: string;
}

/** How a managed policy is used (ListPolicies' PolicyUsageFilter). */
export type PolicyUsage = 'PermissionsPolicy' | 'PermissionsBoundary';

export interface ManagedPolicyRecord {
  id: string;
  accountId: string;
  name: string;
  path: string;
  description: string | null;
  defaultVersionId: string;
  /** Number of users, groups and roles it is attached to. */
  attachmentCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface PolicyVersionRecord {
  policyId: string;
  versionId: string;
  document: string;
  createdAt: number;
}

export interface AccessKeyRecord {
  id: string;
  accountId: string;
  /** null for the account root's keys. */
  userId: string | null;
  /** The secret, encrypted by the caller (AES-256-GCM); the store never sees plaintext. */
  secretCiphertext: string;
  status: KeyStatus;
  createdAt: number;
  lastUsedAt: number | null;
  lastUsedService: string | null;
  lastUsedRegion: string | null;
}

export interface LoginProfileRecord {
  userId: string;
  passwordHash: string;
  resetRequired: boolean;
  createdAt: number;
  /** When the current password was set (the password policy's MaxPasswordAge counts from it). */
  passwordChangedAt: number;
  /** Hashes of the passwords before the current one, newest first (at most 24: PasswordReusePrevention). */
  previousHashes: string[];
}

export interface MfaDeviceRecord {
  /** The serial number: the device ARN. */
  serial: string;
  accountId: string;
  name: string;
  path: string;
  /** The TOTP seed, encrypted by the caller. */
  seedCiphertext: string;
  userId: string | null;
  enabledAt: number | null;
  /** The last TOTP time step accepted, so a code is accepted once. */
  lastTimeStep: number | null;
  createdAt: number;
}

export interface AccountRepository {
  create(account: { id: string; createdAt: number }): Promise<AccountRecord>;
  get(id: string): Promise<AccountRecord | undefined>;
  /** The first account (single-account deployments), if any. */
  first(): Promise<AccountRecord | undefined>;
  getByAlias(alias: string): Promise<AccountRecord | undefined>;
  /** Sets or clears the alias; throws UniqueViolation when another account has it. */
  setAlias(id: string, alias: string | null): Promise<void>;
  setPasswordPolicy(id: string, policy: PasswordPolicy | null): Promise<void>;
  /** The account's change counter (bumped by every write). */
  revision(id: string): Promise<number>;
}

export interface UserRepository {
  create(user: UserRecord): Promise<void>;
  get(accountId: string, name: string): Promise<UserRecord | undefined>;
  getById(id: string): Promise<UserRecord | undefined>;
  list(accountId: string, page: PageRequest): Promise<Page<UserRecord>>;
  /** Renames and/or moves; keeps the id. Throws UniqueViolation on a name clash. */
  update(id: string, changes: { name?: string; path?: string; permissionsBoundary?: string | null; tags?: Tag[] }): Promise<void>;
  delete(id: string): Promise<boolean>;
  setPasswordLastUsed(id: string, at: number): Promise<void>;
  count(accountId: string): Promise<number>;
}

export interface GroupRepository {
  create(group: GroupRecord): Promise<void>;
  get(accountId: string, name: string): Promise<GroupRecord | undefined>;
  getById(id: string): Promise<GroupRecord | undefined>;
  list(accountId: string, page: PageRequest): Promise<Page<GroupRecord>>;
  update(id: string, changes: { name?: string; path?: string }): Promise<void>;
  delete(id: string): Promise<boolean>;
  addMember(groupId: string, userId: string): Promise<void>;
  removeMember(groupId: string, userId: string): Promise<boolean>;
  /** Users of a group, paginated by user name. */
  members(groupId: string, page: PageRequest): Promise<Page<UserRecord>>;
  /** Groups of a user, paginated by group name. */
  groupsOf(userId: string, page: PageRequest): Promise<Page<GroupRecord>>;
  /** Every group of a user (for policy evaluation). */
  allGroupsOf(userId: string): Promise<GroupRecord[]>;
  countMembers(groupId: string): Promise<number>;
  count(accountId: string): Promise<number>;
}

export interface RoleRepository {
  create(role: RoleRecord): Promise<void>;
  get(accountId: string, name: string): Promise<RoleRecord | undefined>;
  getById(id: string): Promise<RoleRecord | undefined>;
  list(accountId: string, page: PageRequest): Promise<Page<RoleRecord>>;
  update(id: string, changes: { assumeRolePolicy?: string; description?: string | null; maxSessionDuration?: number; permissionsBoundary?: string | null; tags?: Tag[] }): Promise<void>;
  delete(id: string): Promise<boolean>;
  count(accountId: string): Promise<number>;
}

export interface InlinePolicyRepository {
  /** Creates or replaces. */
  put(policy: InlinePolicyRecord): Promise<void>;
  get(ownerKind: OwnerKind, ownerId: string, name: string): Promise<InlinePolicyRecord | undefined>;
  /** Names, paginated by name. */
  list(ownerKind: OwnerKind, ownerId: string, page: PageRequest): Promise<Page<string>>;
  /** Every inline policy of an owner (for evaluation and size limits). */
  all(ownerKind: OwnerKind, ownerId: string): Promise<InlinePolicyRecord[]>;
  delete(ownerKind: OwnerKind, ownerId: string, name: string): Promise<boolean>;
  count(ownerKind: OwnerKind, ownerId: string): Promise<number>;
}

export interface ManagedPolicyRepository {
  /** Creates the policy with its first version (v1, default). */
  create(policy: Omit<ManagedPolicyRecord, 'attachmentCount'>, firstVersion: PolicyVersionRecord): Promise<void>;
  get(accountId: string, name: string, path?: string): Promise<ManagedPolicyRecord | undefined>;
  getById(id: string): Promise<ManagedPolicyRecord | undefined>;
  /** `onlyAttached` filters to policies attached to something. */
  /** `onlyAttached` / usage `PermissionsPolicy`: attached to a user, group or role; usage `PermissionsBoundary`: some user's or role's boundary. */
  list(accountId: string, page: PageRequest & { onlyAttached?: boolean; usage?: PolicyUsage }): Promise<Page<ManagedPolicyRecord>>;
  /** For each policy ARN, how many users and roles of the account use it as their permissions boundary. */
  boundaryUsage(accountId: string, arns: readonly string[]): Promise<Map<string, number>>;
  delete(id: string): Promise<boolean>;
  addVersion(version: PolicyVersionRecord, makeDefault: boolean, at: number): Promise<void>;
  getVersion(policyId: string, versionId: string): Promise<PolicyVersionRecord | undefined>;
  listVersions(policyId: string): Promise<PolicyVersionRecord[]>;
  deleteVersion(policyId: string, versionId: string): Promise<boolean>;
  setDefaultVersion(policyId: string, versionId: string, at: number): Promise<void>;
  attach(ownerKind: OwnerKind, ownerId: string, policyId: string): Promise<void>;
  detach(ownerKind: OwnerKind, ownerId: string, policyId: string): Promise<boolean>;
  /** Attached policies of an owner, paginated by policy name. */
  attached(ownerKind: OwnerKind, ownerId: string, page: PageRequest): Promise<Page<ManagedPolicyRecord>>;
  /** Every attached policy's default version document (for evaluation). */
  attachedDocuments(ownerKind: OwnerKind, ownerId: string): Promise<Array<{ policy: ManagedPolicyRecord; document: string }>>;
  /** Attached customer and AWS managed policies (see AwsPolicyAttachmentRepository). */
  countAttached(ownerKind: OwnerKind, ownerId: string): Promise<number>;
  count(accountId: string): Promise<number>;
}

export interface AccessKeyRepository {
  create(key: AccessKeyRecord): Promise<void>;
  get(id: string): Promise<AccessKeyRecord | undefined>;
  /** Keys of a user (userId) or of the root (userId null), oldest first. */
  listFor(accountId: string, userId: string | null): Promise<AccessKeyRecord[]>;
  setStatus(id: string, status: KeyStatus): Promise<boolean>;
  recordUse(id: string, at: number, service: string, region: string): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface LoginProfileRepository {
  put(profile: LoginProfileRecord): Promise<void>;
  get(userId: string): Promise<LoginProfileRecord | undefined>;
  delete(userId: string): Promise<boolean>;
}

export interface MfaDeviceRepository {
  create(device: MfaDeviceRecord): Promise<void>;
  get(serial: string): Promise<MfaDeviceRecord | undefined>;
  /** Devices of an account, optionally only assigned/unassigned, paginated by serial. */
  list(accountId: string, page: PageRequest & { assigned?: boolean }): Promise<Page<MfaDeviceRecord>>;
  listForUser(userId: string): Promise<MfaDeviceRecord[]>;
  /** Assigns to a user (or unassigns with null) and sets enabledAt. */
  assign(serial: string, userId: string | null, at: number | null): Promise<void>;
  /**
   * Records `step` as the last accepted TOTP time step, only if it is greater
   * than the one stored; returns false when it is not (a reused code).
   */
  acceptTimeStep(serial: string, step: number): Promise<boolean>;
  /** Deletes the device (and forgets its MFA attempts). */
  delete(serial: string): Promise<boolean>;
}

/**
 * The budget of TOTP attempts of one MFA device (SECURITY H2), shared by every instance over
 * the store. Bookkeeping, not a permission change: no revision bump.
 */
export interface MfaAttemptRepository {
  /**
   * Takes one attempt: at most `limit` per window, a window lasting `windowMs` from the attempt
   * that opened it (the first one after the previous window ended). Atomic: however many callers
   * race, on any instance, at most `limit` take one per window. Returns the window's start (to
   * `giveBack`), or undefined when the budget is spent.
   */
  take(serial: string, now: number, windowMs: number, limit: number): Promise<number | undefined>;
  /** Returns one attempt taken in the window that started at `windowStart` (the code was right); no-op once that window is over. */
  giveBack(serial: string, windowStart: number): Promise<void>;
}

/** A console sign-in token (federation endpoint): single use, short-lived. */
export interface SigninTokenRecord {
  /** SHA-256 (base64url) of the token handed to the client; the token itself is never stored. */
  id: string;
  accountId: string;
  /** The session's temporary credentials (session token), encrypted by the caller. */
  payloadCiphertext: string;
  /** When the console session must end (epoch ms). */
  sessionExpiresAt: number;
  createdAt: number;
  /** The token is refused from this time on (createdAt + 15 min). */
  expiresAt: number;
}

export interface SigninTokenRepository {
  create(token: SigninTokenRecord): Promise<void>;
  /**
   * Atomically marks the token used and returns it, if it exists, is unused and
   * `now < expiresAt`; otherwise undefined. Exactly one concurrent caller wins,
   * on any instance sharing the store.
   */
  consume(id: string, now: number): Promise<SigninTokenRecord | undefined>;
  /** Removes tokens that expired before `now`; returns how many. */
  sweep(now: number): Promise<number>;
}

/** A CLI sign-in waiting for the person's approval (RFC 8628 device authorization). */
export interface DeviceAuthorizationRecord {
  /** SHA-256 (base64url) of the device code; the device code itself is never stored. */
  id: string;
  /** `XXXX-XXXX`, as shown to the person. Unique among unswept authorizations. */
  userCode: string;
  clientId: string;
  /** The IP the CLI asked from (shown on the approval page). */
  sourceIp: string;
  createdAt: number;
  expiresAt: number;
  /** Seconds the CLI must wait between polls; grows by 5 at each `slow_down`. */
  intervalSeconds: number;
  lastPolledAt: number | null;
  status: 'pending' | 'approved' | 'denied' | 'used';
  /** Once approved: the person (lower-cased user name, user name as the directory spells it, DN). */
  subject: string | null;
  username: string | null;
  subjectDn: string | null;
  /** The person's stable directory id (objectGUID, entryUUID), when the directory has one. */
  stableId: string | null;
  decidedAt: number | null;
}

/** What a poll of the token endpoint found (the row after the poll's update). */
export type DevicePoll =
  | { kind: 'unknown' }
  /** The poll came at least `intervalSeconds` after the previous one. */
  | { kind: 'in-time'; authorization: DeviceAuthorizationRecord }
  /** Too soon: the interval has already been raised by 5 s. */
  | { kind: 'too-fast'; authorization: DeviceAuthorizationRecord };

export interface DeviceAuthorizationRepository {
  /** @throws UniqueViolation when the id or the user code is taken */
  create(record: DeviceAuthorizationRecord): Promise<void>;
  /** The authorization with this user code, if it exists and `now < expiresAt`. */
  getByUserCode(userCode: string, now: number): Promise<DeviceAuthorizationRecord | undefined>;
  /**
   * Approves (with the person) or denies a pending, unexpired authorization; false when it is
   * not pending any more, has expired or does not exist. Exactly one concurrent decision wins.
   */
  decide(userCode: string, now: number, decision: { status: 'approved'; subject: string; username: string; subjectDn: string; stableId: string | null } | { status: 'denied' }): Promise<boolean>;
  /**
   * Records a poll at `now`, atomically: in time (`lastPolledAt` null or at least
   * `intervalSeconds` ago), or too fast (then `intervalSeconds` grows by 5).
   */
  poll(id: string, now: number): Promise<DevicePoll>;
  /** Marks an approved, unexpired authorization used and returns it; exactly one caller wins. */
  consume(id: string, now: number): Promise<DeviceAuthorizationRecord | undefined>;
  /** Removes authorizations that expired before `now`; returns how many. */
  sweep(now: number): Promise<number>;
}

/** A CLI grant: what `gatehouse credentials` presents as `Authorization: Bearer`. */
export interface CliGrantRecord {
  /** Public id (listing, revoking); not the grant. */
  id: string;
  /** SHA-256 (base64url) of the grant; the grant itself is never stored. */
  tokenHash: string;
  /** The person: lower-cased directory user name. */
  subject: string;
  /** The user name as the directory spells it, and the DN, at approval. */
  username: string;
  subjectDn: string;
  /** The person's stable directory id at approval, when the directory has one. */
  stableId: string | null;
  clientId: string;
  /** The IP the CLI signed in from. */
  sourceIp: string;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
}

export interface CliGrantRepository {
  create(grant: CliGrantRecord): Promise<void>;
  /** The grant with this hash, if `now < expiresAt`. */
  findByTokenHash(tokenHash: string, now: number): Promise<CliGrantRecord | undefined>;
  /** The person's unexpired grants, newest first. */
  listFor(subject: string, now: number): Promise<CliGrantRecord[]>;
  recordUse(id: string, at: number): Promise<void>;
  /** Revokes (deletes) one of the person's grants; false when it is not theirs or gone. */
  revoke(id: string, subject: string): Promise<boolean>;
  /**
   * "Sign out everywhere": deletes every grant of the person and records `at`, so portal
   * sessions signed in before it end. Returns how many grants were revoked.
   */
  signOutEverywhere(subject: string, at: number): Promise<number>;
  /** When the person last signed out everywhere (epoch ms), if ever. */
  signedOutAt(subject: string): Promise<number | undefined>;
  /** Removes grants that expired before `now`; returns how many. */
  sweep(now: number): Promise<number>;
}

/** The repositories, bound either to the store or to one transaction. */
export interface Repositories {
  accounts: AccountRepository;
  users: UserRepository;
  groups: GroupRepository;
  roles: RoleRepository;
  inlinePolicies: InlinePolicyRepository;
  managedPolicies: ManagedPolicyRepository;
  accessKeys: AccessKeyRepository;
  loginProfiles: LoginProfileRepository;
  mfaDevices: MfaDeviceRepository;
  mfaAttempts: MfaAttemptRepository;
  signinTokens: SigninTokenRepository;
  deviceAuthorizations: DeviceAuthorizationRepository;
  cliGrants: CliGrantRepository;
  awsPolicyAttachments: AwsPolicyAttachmentRepository;
  /** The audit trail (src/audit): events, chain heads, digests. */
  auditEvents: AuditEventRepository;
  tags: TagRepository;
  roleUsage: RoleUsageRepository;
  signingCertificates: SigningCertificateRepository;
  instanceProfiles: InstanceProfileRepository;
}

export interface Store extends Repositories {
  /** `sqlite` or `postgres`. */
  readonly kind: string;
  /** The SQLite database file (absolute), when the store is one; absent for `:memory:` and PostgreSQL. */
  readonly file?: string;
  /** Runs fn atomically; the repositories passed in see and write within the transaction. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * A view of this store whose first write runs `hook` in the same transaction (the audit
   * event of an IAM write: sql/write-hook.ts).
   */
  withWriteHook(hook: WriteHook): Store;
  /**
   * The account's revision as this process may rely on it (see revisions.ts): read again after
   * any write made through this store, and otherwise at least every `revisionBoundMs`, the bound
   * for changes made by other processes or instances. Caches keyed by revision use this;
   * `accounts.revision` always reads.
   */
  knownRevision(accountId: string): Promise<number>;
  /** Whether the database answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Thrown when a write would break a uniqueness rule (a name, an alias). */
export class UniqueViolation extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UniqueViolation';
  }
}

/**
 * The write hook (sql/write-hook.ts): lets a caller (the audit trail) add rows to the first
 * transaction that writes through a store view, so the write and those rows commit together.
 */
export interface WriteHook {
  /** Called inside the first writing transaction, before it commits. A throw rolls it back. */
  write(tx: Repositories): Promise<void>;
  /** Set once a transaction that called `write` is under way (reset if it rolls back). */
  written: boolean;
}
