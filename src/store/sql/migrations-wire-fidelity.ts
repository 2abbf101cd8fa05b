/**
 * Migrations 7–9 (issue 13, wire fidelity), listed in MIGRATIONS (migrations.ts). Same
 * conventions: epoch-millisecond BIGINTs, tags as JSON TEXT, no cascading deletes.
 */

/**
 * v7: AWS managed policies attached in an account (the catalogue itself is not stored: it
 * ships with the code), tags on customer managed policies and MFA devices, and a role's last use.
 * `owner_id` names a user, group or role by `owner_kind`; the IAM layer refuses to delete an
 * owner that still has attachments, as for customer managed policies.
 */
export const AWS_POLICY_ATTACHMENTS = [
  `CREATE TABLE aws_policy_attachments (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('user', 'group', 'role')),
    owner_id TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (owner_kind, owner_id, policy_arn)
  )`,
  'CREATE INDEX aws_policy_attachments_account ON aws_policy_attachments (account_id, policy_arn)',
  "ALTER TABLE managed_policies ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
  "ALTER TABLE mfa_devices ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'",
  'ALTER TABLE roles ADD COLUMN last_used_at BIGINT',
  'ALTER TABLE roles ADD COLUMN last_used_region TEXT',
];

/** v8: X.509 signing certificates of IAM users (user_id) and of the account root (user_id NULL); one body per account. */
export const SIGNING_CERTIFICATES = [
  `CREATE TABLE signing_certificates (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    user_id TEXT REFERENCES users (id),
    body TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
    uploaded_at BIGINT NOT NULL,
    UNIQUE (account_id, fingerprint)
  )`,
  'CREATE INDEX signing_certificates_owner ON signing_certificates (account_id, user_id, uploaded_at)',
];

/** v9: instance profiles; the primary key of instance_profile_roles holds AWS's limit of one role per profile. */
export function instanceProfiles(key: string): string[] {
  return [
    `CREATE TABLE instance_profiles (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      path TEXT NOT NULL,
      tags TEXT NOT NULL DEFAULT '[]',
      created_at BIGINT NOT NULL,
      UNIQUE (account_id, name_lower)
    )`,
    `CREATE TABLE instance_profile_roles (
      profile_id TEXT PRIMARY KEY REFERENCES instance_profiles (id),
      role_id TEXT NOT NULL REFERENCES roles (id)
    )`,
    'CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id)',
  ];
}
