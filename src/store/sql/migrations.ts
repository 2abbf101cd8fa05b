/**
 * Schema migrations: an ordered list, applied at open inside one transaction, recorded in
 * `schema_migrations`. Running them again is a no-op; a database whose version is newer than
 * the last one listed here is refused (an older Gatehouse must not write a newer schema).
 *
 * Conventions: times are epoch-millisecond BIGINTs, booleans 0/1 INTEGERs, tags and the
 * password policy JSON TEXT. Names are kept as given plus a `name_lower` column that carries
 * the case-insensitive uniqueness and the sort order of keyset pagination; PostgreSQL compares
 * those keys with COLLATE "C" so both adapters order bytewise. Foreign keys never cascade a
 * delete: the IAM layer removes dependants first, and a wrong delete fails.
 */
import type { Dialect, SqlDriver } from './driver.js';
import { AWS_POLICY_ATTACHMENTS, instanceProfiles, SIGNING_CERTIFICATES } from './migrations-wire-fidelity.js';
import { AUDIT_DIGESTS, auditEventsMigration } from './audit-events.js';

export interface Migration {
  version: number;
  name: string;
  up: Record<Dialect, string[]>;
}

const INLINE_OWNERS = ['user', 'group', 'role'] as const;

/** The first schema. `key` is the collation clause for sort-key columns. */
function initial(dialect: Dialect): string[] {
  const key = dialect === 'postgres' ? ' COLLATE "C"' : '';
  const perOwner = INLINE_OWNERS.flatMap((owner) => [
    `CREATE TABLE ${owner}_policies (
      ${owner}_id TEXT NOT NULL REFERENCES ${owner}s (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      document TEXT NOT NULL,
      PRIMARY KEY (${owner}_id, name_lower)
    )`,
    `CREATE TABLE ${owner}_policy_attachments (
      ${owner}_id TEXT NOT NULL REFERENCES ${owner}s (id),
      policy_id TEXT NOT NULL REFERENCES managed_policies (id),
      PRIMARY KEY (${owner}_id, policy_id)
    )`,
    `CREATE INDEX ${owner}_policy_attachments_policy ON ${owner}_policy_attachments (policy_id)`,
  ]);
  return [
    `CREATE TABLE accounts (
      id TEXT PRIMARY KEY,
      alias TEXT UNIQUE,
      password_policy TEXT,
      created_at BIGINT NOT NULL,
      revision BIGINT NOT NULL
    )`,
    `CREATE TABLE users (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      path TEXT NOT NULL,
      permissions_boundary TEXT,
      tags TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      password_last_used BIGINT,
      UNIQUE (account_id, name_lower),
      UNIQUE (id, name_lower)
    )`,
    `CREATE TABLE groups (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      path TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      UNIQUE (account_id, name_lower)
    )`,
    // user_name_lower follows renames (ON UPDATE CASCADE) so members page by an index.
    `CREATE TABLE group_members (
      group_id TEXT NOT NULL REFERENCES groups (id),
      user_id TEXT NOT NULL,
      user_name_lower TEXT${key} NOT NULL,
      PRIMARY KEY (group_id, user_id),
      FOREIGN KEY (user_id, user_name_lower) REFERENCES users (id, name_lower) ON UPDATE CASCADE
    )`,
    'CREATE INDEX group_members_by_name ON group_members (group_id, user_name_lower)',
    'CREATE INDEX group_members_user ON group_members (user_id, user_name_lower)',
    `CREATE TABLE roles (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      path TEXT NOT NULL,
      assume_role_policy TEXT NOT NULL,
      description TEXT,
      max_session_duration INTEGER NOT NULL,
      permissions_boundary TEXT,
      tags TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      UNIQUE (account_id, name_lower)
    )`,
    `CREATE TABLE managed_policies (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      name_lower TEXT${key} NOT NULL,
      path TEXT NOT NULL,
      description TEXT,
      default_version_id TEXT NOT NULL,
      attachment_count INTEGER NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL,
      UNIQUE (account_id, name_lower)
    )`,
    'CREATE INDEX managed_policies_attached ON managed_policies (account_id, name_lower) WHERE attachment_count > 0',
    `CREATE TABLE policy_versions (
      policy_id TEXT NOT NULL REFERENCES managed_policies (id),
      version_id TEXT NOT NULL,
      document TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (policy_id, version_id)
    )`,
    ...perOwner,
    `CREATE TABLE access_keys (
      id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      user_id TEXT REFERENCES users (id),
      secret_ciphertext TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
      created_at BIGINT NOT NULL,
      last_used_at BIGINT,
      last_used_service TEXT,
      last_used_region TEXT
    )`,
    'CREATE INDEX access_keys_owner ON access_keys (account_id, user_id, created_at)',
    'CREATE INDEX access_keys_user ON access_keys (user_id)',
    `CREATE TABLE login_profiles (
      user_id TEXT PRIMARY KEY REFERENCES users (id),
      password_hash TEXT NOT NULL,
      reset_required INTEGER NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE mfa_devices (
      serial TEXT${key} PRIMARY KEY,
      account_id TEXT NOT NULL REFERENCES accounts (id),
      name TEXT NOT NULL,
      path TEXT NOT NULL,
      seed_ciphertext TEXT NOT NULL,
      user_id TEXT REFERENCES users (id),
      enabled_at BIGINT,
      last_time_step BIGINT,
      created_at BIGINT NOT NULL
    )`,
    'CREATE INDEX mfa_devices_account ON mfa_devices (account_id, serial)',
    'CREATE INDEX mfa_devices_user ON mfa_devices (user_id)',
  ];
}

/** Every migration, oldest first. Append only; never edit one that has shipped. */
/** Console sign-in tokens of the federation endpoint (single use, 15 minutes). */
const SIGNIN_TOKENS = [
  `CREATE TABLE signin_tokens (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    session_expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
  )`,
  'CREATE INDEX signin_tokens_expiry ON signin_tokens (expires_at)',
];

/** When each console password was set, and the hashes of the ones before it (password policy: expiry, reuse). */
const PASSWORD_AGE_AND_HISTORY = [
  'ALTER TABLE login_profiles ADD COLUMN password_changed_at BIGINT',
  'UPDATE login_profiles SET password_changed_at = created_at',
  "ALTER TABLE login_profiles ADD COLUMN password_history TEXT NOT NULL DEFAULT '[]'",
];

/** Counting and filtering managed policies by their use as permissions boundaries. */
const BOUNDARY_INDEXES = [
  'CREATE INDEX users_boundary ON users (account_id, permissions_boundary)',
  'CREATE INDEX roles_boundary ON roles (account_id, permissions_boundary)',
];

/**
 * CLI sign-in (RFC 8628 device grant): pending device authorizations, keyed by the SHA-256 of
 * the device code; CLI grants, stored only as the SHA-256 of the grant; and the time each person
 * last chose "sign out everywhere" (portal sessions signed in before it are ended).
 */
const CLI_GRANTS = [
  `CREATE TABLE device_authorizations (
    id TEXT PRIMARY KEY,
    user_code TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    last_polled_at BIGINT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'used')),
    subject TEXT,
    username TEXT,
    subject_dn TEXT,
    stable_id TEXT,
    decided_at BIGINT
  )`,
  'CREATE INDEX device_authorizations_expiry ON device_authorizations (expires_at)',
  `CREATE TABLE cli_grants (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    username TEXT NOT NULL,
    subject_dn TEXT NOT NULL,
    stable_id TEXT,
    client_id TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT
  )`,
  'CREATE INDEX cli_grants_subject ON cli_grants (subject, created_at)',
  'CREATE INDEX cli_grants_expiry ON cli_grants (expires_at)',
  'CREATE TABLE portal_signouts (subject TEXT PRIMARY KEY, signed_out_at BIGINT NOT NULL)',
];

/** The TOTP attempts of each MFA device in its current window (SECURITY H2; store/sql/mfa-attempts.ts). No foreign key: removed with the device. */
const MFA_ATTEMPTS = ['CREATE TABLE mfa_attempts (serial TEXT PRIMARY KEY, window_start BIGINT NOT NULL, taken INTEGER NOT NULL)'];

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', up: { sqlite: initial('sqlite'), postgres: initial('postgres') } },
  { version: 2, name: 'signin tokens', up: { sqlite: SIGNIN_TOKENS, postgres: SIGNIN_TOKENS } },
  { version: 3, name: 'password age and history', up: { sqlite: PASSWORD_AGE_AND_HISTORY, postgres: PASSWORD_AGE_AND_HISTORY } },
  { version: 4, name: 'boundary usage indexes', up: { sqlite: BOUNDARY_INDEXES, postgres: BOUNDARY_INDEXES } },
  { version: 5, name: 'cli grants', up: { sqlite: CLI_GRANTS, postgres: CLI_GRANTS } },
  { version: 6, name: 'mfa attempts', up: { sqlite: MFA_ATTEMPTS, postgres: MFA_ATTEMPTS } },
  { version: 7, name: 'aws managed policy attachments, policy and mfa tags, role last used', up: { sqlite: AWS_POLICY_ATTACHMENTS, postgres: AWS_POLICY_ATTACHMENTS } },
  { version: 8, name: 'signing certificates', up: { sqlite: SIGNING_CERTIFICATES, postgres: SIGNING_CERTIFICATES } },
  { version: 9, name: 'instance profiles', up: { sqlite: instanceProfiles(''), postgres: instanceProfiles(' COLLATE "C"') } },
  { version: 11, name: 'audit events and chain heads', up: { sqlite: auditEventsMigration(''), postgres: auditEventsMigration(' COLLATE "C"') } },
  { version: 12, name: 'audit digests', up: { sqlite: AUDIT_DIGESTS, postgres: AUDIT_DIGESTS } },
];

const CREATE_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';

/**
 * Brings the schema up to date; returns the versions applied now.
 * @throws Error when the database is newer than `migrations` knows
 */
export async function migrate(db: SqlDriver, migrations: readonly Migration[] = MIGRATIONS, now: () => number = Date.now): Promise<number[]> {
  const latest = migrations.at(-1)?.version ?? 0;
  return db.transaction(async (tx) => {
    await tx.run(CREATE_TABLE);
    const current = (await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
    if (current > latest) {
      throw new Error(`the database schema is at version ${current}, newer than this Gatehouse knows (${latest}); run a newer Gatehouse`);
    }
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      for (const sql of migration.up[tx.dialect]) await tx.run(sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [migration.version, migration.name, now()]);
      applied.push(migration.version);
    }
    return applied;
  });
}
