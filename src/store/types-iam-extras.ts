/**
 * Store records and repositories added for AWS wire fidelity (issue 13): AWS managed policies
 * attached in an account, tags of policies and MFA devices, a role's last use, X.509 signing
 * certificates and instance profiles. Same conventions as types.ts.
 */
import type { KeyStatus, OwnerKind, Page, PageRequest, RoleRecord, Tag } from './types-common.js';

/** An owner of policy attachments. */
export interface PolicyOwnerRef {
  kind: OwnerKind;
  id: string;
}

/**
 * Attachments of AWS managed policies (`arn:aws:iam::aws:policy/…`) to users, groups and
 * roles of one account. The catalogue lives in code; only attachments are stored, so
 * AttachmentCount is per account.
 */
export interface AwsPolicyAttachmentRepository {
  /** Idempotent; returns whether a new attachment was made. */
  attach(accountId: string, owner: PolicyOwnerRef, arn: string): Promise<boolean>;
  detach(owner: PolicyOwnerRef, arn: string): Promise<boolean>;
  /** The ARNs attached to an owner, sorted. */
  attached(owner: PolicyOwnerRef): Promise<string[]>;
  /** For every AWS policy attached in the account: to how many users, groups and roles. */
  counts(accountId: string): Promise<Map<string, number>>;
  /** The users, groups and roles of the account it is attached to. */
  entities(accountId: string, arn: string): Promise<PolicyOwnerRef[]>;
  /** The users, groups and roles a customer managed policy is attached to. */
  customerEntities(policyId: string): Promise<PolicyOwnerRef[]>;
  /** The users and roles of the account that have this policy ARN as their permissions boundary. */
  boundaryEntities(accountId: string, arn: string): Promise<PolicyOwnerRef[]>;
}

/** What carries tags besides users and roles: customer managed policies (by id), MFA devices (by serial), instance profiles (by id). */
export type TaggedKind = 'policy' | 'mfa' | 'instanceProfile';

export interface TagRepository {
  get(kind: TaggedKind, id: string): Promise<Tag[]>;
  /** Replaces the tags; returns false when there is no such entity. */
  set(kind: TaggedKind, id: string, tags: Tag[]): Promise<boolean>;
}

export interface RoleLastUsed {
  at: number;
  region: string;
}

/** When and where a role was last assumed (bookkeeping: does not bump the revision). */
export interface RoleUsageRepository {
  get(roleId: string): Promise<RoleLastUsed | undefined>;
  record(roleId: string, at: number, region: string): Promise<void>;
}

export interface SigningCertificateRecord {
  /** `ASCA…` */
  id: string;
  accountId: string;
  /** null for the account root's certificates. */
  userId: string | null;
  /** The PEM body as uploaded. */
  body: string;
  /** SHA-256 fingerprint (hex) of the DER: one certificate per account. */
  fingerprint: string;
  status: KeyStatus;
  uploadedAt: number;
}

export interface SigningCertificateRepository {
  /** Throws UniqueViolation when the account already has this certificate. */
  create(cert: SigningCertificateRecord): Promise<void>;
  get(id: string): Promise<SigningCertificateRecord | undefined>;
  /** Certificates of a user (or of the root, userId null), oldest first. */
  listFor(accountId: string, userId: string | null): Promise<SigningCertificateRecord[]>;
  setStatus(id: string, status: KeyStatus): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

export interface InstanceProfileRecord {
  /** `AIPA…` */
  id: string;
  accountId: string;
  name: string;
  path: string;
  tags: Tag[];
  createdAt: number;
}

export interface InstanceProfileRepository {
  /** Throws UniqueViolation on a name clash (case-insensitive). */
  create(profile: InstanceProfileRecord): Promise<void>;
  get(accountId: string, name: string): Promise<InstanceProfileRecord | undefined>;
  list(accountId: string, page: PageRequest): Promise<Page<InstanceProfileRecord>>;
  /** Fails (foreign key) while a role is in it. */
  delete(id: string): Promise<boolean>;
  /** The profile's role, if any (at most one). */
  role(profileId: string): Promise<RoleRecord | undefined>;
  /** Throws UniqueViolation when the profile already has a role. */
  addRole(profileId: string, roleId: string): Promise<void>;
  removeRole(profileId: string, roleId: string): Promise<boolean>;
  /** Profiles that contain the role, by name. */
  forRole(roleId: string, page: PageRequest): Promise<Page<InstanceProfileRecord>>;
  count(accountId: string): Promise<number>;
}
