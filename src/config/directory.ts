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

/** What a `kind` preset fills in, for every key the config leaves out. */
export interface DirectoryPreset {
  searchBase?: string;
  searchFilter: string;
  groupSearchBase?: string;
  groupSearchFilter: string;
  usernameAttribute?: string;
  tokenGroups: boolean;
}

/**
 * The presets of `directory.kind`. Active Directory: sign-in by sAMAccountName or
 * userPrincipalName (`alice` or `alice@corp.example.com`, one person either way: the federated
 * name is always the sAMAccountName), groups anywhere under `searchBase`, nested groups from the
 * user's `tokenGroups` (measured faster than the in-chain rule against a DC with 1,100 groups;
 * README "Active Directory"), with the in-chain rule as the group filter when `tokenGroups` is
 * turned off.
 */
export const DIRECTORY_PRESETS: Record<'openldap' | 'activeDirectory', DirectoryPreset> = {
  openldap: {
    searchBase: 'ou=people,dc=example,dc=com',
    searchFilter: '(uid={{username}})',
    groupSearchBase: 'ou=groups,dc=example,dc=com',
    groupSearchFilter: '(member={{dn}})',
    tokenGroups: false,
  },
  activeDirectory: {
    searchFilter: '(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={{username}})(userPrincipalName={{username}})))',
    groupSearchFilter: '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:={{dn}}))',
    usernameAttribute: 'sAMAccountName',
    tokenGroups: true,
  },
};

export const directorySchema = z
  .strictObject({
    /**
     * `embedded` (an in-process demo directory seeded from `config/demo-directory.ldif`; dev only)
     * or `ldaps://dc1.example.com:636` / `ldap://…`. Default `embedded`.
     * Recommendation: `ldaps://`, or `ldap://` with `starttls: true`; plain `ldap://` sends
     * passwords in clear.
     */
    url: z.string().refine(isDirectoryUrl, 'expected "embedded" or an ldap:// or ldaps:// URL').default('embedded'),
    /**
     * Which directory this is: `openldap` (default) or `activeDirectory`. A preset that fills in
     * every filter key below that the config leaves out (keys given explicitly always win):
     * - `openldap`: searchFilter `(uid={{username}})`, groupSearchFilter `(member={{dn}})`, the
     *   bases `ou=people,…` and `ou=groups,dc=example,dc=com`;
     * - `activeDirectory`: sign-in by sAMAccountName or userPrincipalName, groupSearchBase =
     *   searchBase, nested groups from `tokenGroups`, usernameAttribute `sAMAccountName`.
     *   `searchBase` is then required (e.g. `dc=corp,dc=example,dc=com`).
     */
    kind: z.enum(['openldap', 'activeDirectory']).default('openldap'),
    /**
     * DN of the service account that searches for users. Required for a real directory; generated
     * for `embedded`. Example: `cn=gatehouse,ou=services,dc=example,dc=com`.
     * Recommendation: a read-only account that can search people and groups and nothing more.
     */
    bindDN: z.string().min(1).optional(),
    /** Password of `bindDN`. Required for a real directory. Never logged. Keep the file mode 0600. */
    bindCredentials: z.string().min(1).optional(),
    /**
     * Where users are searched. Default (openldap) `ou=people,dc=example,dc=com`; required for
     * `kind: activeDirectory`. AD example: `dc=corp,dc=example,dc=com` (the domain root is fine:
     * AD's referrals there are ignored, never followed).
     */
    searchBase: z.string().min(1).optional(),
    /**
     * Filter that finds one user; `{{username}}` is replaced by the escaped login name.
     * Default from `kind`: `(uid={{username}})`, or for AD
     * `(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={{username}})(userPrincipalName={{username}})))`.
     */
    searchFilter: z
      .string()
      .refine((v) => v.includes('{{username}}'), 'expected a filter containing {{username}}')
      .optional(),
    /**
     * The attribute whose value is the person's name in Gatehouse (the federated user name and
     * the group re-check's search). Default: `sAMAccountName` for AD, else the attribute that
     * `searchFilter` compares with `{{username}}` (e.g. `uid`). With AD's preset, `alice` and
     * `alice@corp.example.com` both become `alice`: one person, one history.
     */
    usernameAttribute: z.string().regex(/^[A-Za-z][\w-]*$/, 'expected an attribute name').optional(),
    /** Where groups are searched. Default `ou=groups,dc=example,dc=com`; for AD, `searchBase`. */
    groupSearchBase: z.string().min(1).optional(),
    /**
     * Filter for the user's groups; `{{dn}}` is the user's DN. Default `(member={{dn}})`; for
     * AD the in-chain rule `(&(objectClass=group)(member:1.2.840.113556.1.4.1941:={{dn}}))`
     * (used when `tokenGroups` is false). posixGroup example: `(memberUid={{username}})`.
     */
    groupSearchFilter: z.string().min(1).optional(),
    /**
     * Active Directory only: read the user's groups, nested ones included, from the computed
     * `tokenGroups` attribute (one base search, then the groups by objectSid under
     * `groupSearchBase`) instead of `groupSearchFilter`. Default `true` for AD, `false` otherwise.
     * It also counts the primary group (Domain Users), which the in-chain rule does not.
     */
    tokenGroups: z.boolean().optional(),
    /**
     * Upgrade an `ldap://` connection with StartTLS before anything else is sent (the certificate
     * verified as for `ldaps://`; a failure is 503, never a fall-back to clear text). Default
     * `false`. Not with `ldaps://`.
     */
    starttls: z.boolean().default(false),
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
    /** TLS for `ldaps://` and StartTLS. Certificates are always verified; there is no switch to turn that off. */
    tlsOptions: z
      .strictObject({
        /** PEM files of the CAs that sign the directory's certificate. Example: `[/etc/ssl/corp-ca.pem]`. */
        ca: z.array(z.string().min(1)).min(1).optional(),
        /**
         * The name the directory's certificate must carry, when it differs from the URL's host
         * (a DC reached by IP whose certificate names only `dc1.corp.example.com`). Default: the
         * URL's host name. Example: `dc1.corp.example.com`.
         */
        servername: z.string().min(1).regex(/^[A-Za-z0-9.-]+$/, 'expected a DNS name').optional(),
      })
      .optional(),
  })
  .superRefine((d, ctx) => {
    if (d.tokenGroups && d.kind !== 'activeDirectory') ctx.addIssue({ code: 'custom', path: ['tokenGroups'], message: 'only with kind "activeDirectory"' });
    if (d.url === 'embedded') return;
    for (const key of ['bindDN', 'bindCredentials'] as const) {
      if (d[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required when url is not "embedded"` });
    }
    if (d.kind === 'activeDirectory' && d.searchBase === undefined) {
      ctx.addIssue({ code: 'custom', path: ['searchBase'], message: 'required with kind "activeDirectory" (e.g. "dc=corp,dc=example,dc=com")' });
    }
    if (d.starttls && /^ldaps:/i.test(d.url)) ctx.addIssue({ code: 'custom', path: ['starttls'], message: 'not with an ldaps:// URL (TLS is already on)' });
  })
  .transform((d) => {
    const preset = DIRECTORY_PRESETS[d.kind];
    const searchBase = d.searchBase ?? preset.searchBase ?? 'ou=people,dc=example,dc=com';
    const searchFilter = d.searchFilter ?? preset.searchFilter;
    const usernameAttribute = d.usernameAttribute ?? preset.usernameAttribute;
    return {
      ...d,
      searchBase,
      searchFilter,
      groupSearchBase: d.groupSearchBase ?? preset.groupSearchBase ?? searchBase,
      groupSearchFilter: d.groupSearchFilter ?? preset.groupSearchFilter,
      tokenGroups: d.tokenGroups ?? preset.tokenGroups,
      ...(usernameAttribute === undefined ? {} : { usernameAttribute }),
    };
  })
  .prefault({});

export type DirectoryConfig = z.output<typeof directorySchema>;
