/**
 * `directory:` — the LDAP directory users sign in against. Option names are passport-ldapauth's
 * server options, so they can be handed to it unchanged.
 */
import { z } from 'zod';

/** Defaults of `poolSize` and `poolIdleMs`; the connector applies them to settings that leave them out. */
export const DIRECTORY_POOL_DEFAULTS = { size: 20, idleMs: 30_000 } as const;
/** Default of `nestedGroupCacheMs`. */
export const DIRECTORY_NESTED_GROUP_CACHE_MS = 5000;

function isDirectoryUrl(v: string): boolean {
  return v === 'embedded' || (/^ldaps?:\/\//i.test(v) && URL.canParse(v));
}

export const directorySchema = z
  .strictObject({
    /**
     * `embedded` (an in-process demo directory seeded from `config/demo-directory.ldif`; dev only)
     * or `ldaps://dc1.example.com:636` / `ldap://…`. Default `embedded`.
     * Recommendation: `ldaps://`; plain `ldap://` sends passwords in clear.
     */
    url: z.string().refine(isDirectoryUrl, 'expected "embedded" or an ldap:// or ldaps:// URL').default('embedded'),
    /**
     * DN of the service account that searches for users. Required for a real directory; generated
     * for `embedded`. Example: `cn=gatehouse,ou=services,dc=example,dc=com`.
     * Recommendation: a read-only account that can search people and groups and nothing more.
     */
    bindDN: z.string().min(1).optional(),
    /** Password of `bindDN`. Required for a real directory. Never logged. Keep the file mode 0600. */
    bindCredentials: z.string().min(1).optional(),
    /** Where users are searched. Default `ou=people,dc=example,dc=com`. AD example: `dc=corp,dc=example,dc=com`. */
    searchBase: z.string().min(1).default('ou=people,dc=example,dc=com'),
    /**
     * Filter that finds one user; `{{username}}` is replaced by the escaped login name.
     * Default `(uid={{username}})`. AD example: `(sAMAccountName={{username}})`.
     */
    searchFilter: z
      .string()
      .refine((v) => v.includes('{{username}}'), 'expected a filter containing {{username}}')
      .default('(uid={{username}})'),
    /** Where groups are searched. Default `ou=groups,dc=example,dc=com`. */
    groupSearchBase: z.string().min(1).default('ou=groups,dc=example,dc=com'),
    /**
     * Filter for the user's groups; `{{dn}}` is the user's DN. Default `(member={{dn}})`.
     * posixGroup example: `(memberUid={{username}})`.
     */
    groupSearchFilter: z.string().min(1).default('(member={{dn}})'),
    /**
     * Deadline for each directory operation, in ms. Past it the login answers 503 (never a bad
     * password, never allowed). Default `5000`. Recommendation: 2000–5000.
     */
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /**
     * Directory sessions kept open between logins (each one a service connection, bound, and a
     * user connection), each lent to one login at a time. A kept session saves the next login
     * two connects and the service bind. `0` opens new connections for every login. Default `20`.
     * Recommendation: about the number of sign-ins you expect at the same moment.
     */
    poolSize: z.number().int().min(0).max(500).default(DIRECTORY_POOL_DEFAULTS.size),
    /** A kept session unused this long (ms) is closed. Default `30000`. Sessions are never kept past 10 minutes. */
    poolIdleMs: z.number().int().min(1000).max(600_000).default(DIRECTORY_POOL_DEFAULTS.idleMs),
    /**
     * How long (ms) the answer to "which groups contain these groups" is kept. It depends on the
     * group tree only, so every login with the same groups shares it; a user's own entry and
     * direct groups are always read live. A change to group nesting reaches sign-ins and mints
     * within this time. `0` reads it live every time. Default `5000`.
     */
    nestedGroupCacheMs: z.number().int().min(0).max(60_000).default(DIRECTORY_NESTED_GROUP_CACHE_MS),
    /** TLS for `ldaps://`. Certificates are always verified; there is no switch to turn that off. */
    tlsOptions: z
      .strictObject({
        /** PEM files of the CAs that sign the directory's certificate. Example: `[/etc/ssl/corp-ca.pem]`. */
        ca: z.array(z.string().min(1)).min(1).optional(),
      })
      .optional(),
  })
  .superRefine((d, ctx) => {
    if (d.url === 'embedded') return;
    for (const key of ['bindDN', 'bindCredentials'] as const) {
      if (d[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when url is not "embedded"` });
    }
  })
  .prefault({});

export type DirectoryConfig = z.output<typeof directorySchema>;
