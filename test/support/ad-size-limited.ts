/**
 * A small ldapjs server on 127.0.0.1 (real TCP) that enforces Active Directory's MaxPageSize the
 * way AD does, for the one thing Samba does not do (it returns every entry of an unpaged search):
 * - an unpaged search that matches more than `sizeLimit` (1,000) entries returns the first
 *   1,000, then result 4 (sizeLimitExceeded);
 * - a search with the paged-results control (1.2.840.113556.1.4.319) gets pages of at most
 *   min(requested size, 1,000) entries and a cookie until the last page, as RFC 2696 says.
 * It holds one service account, one person (`person`) who is in `groupCount` groups (answered
 * to the in-chain filter and listed in `memberOf`), and counts the searches and pages it served.
 * Passwords are random per instance.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { ldapjs, type LdapServer } from '../../src/directory/ldapjs.js';
import type { DirectorySettings } from '../../src/directory/index.js';

const require = createRequire(import.meta.url);
const { PagedResultsControl } = require('ldapjs') as { PagedResultsControl: new (o: { value: { size: number; cookie: Buffer } }) => unknown };
const PAGED_OID = '1.2.840.113556.1.4.319';

export const AD_BASE = 'dc=corp,dc=example,dc=test';
const SERVICE = `cn=svc-gatehouse,cn=users,${AD_BASE}`;
const PERSON = `cn=Many Groups,cn=users,${AD_BASE}`;

interface Control {
  type: string;
  value?: { size: number; cookie: Buffer };
}
interface Res {
  send(entry: { dn: string; attributes: Record<string, string[]> }): void;
  end(status?: number): void;
  attributes?: string[];
  addControl(c: unknown): void;
}

export interface SizeLimitedDirectory {
  settings: DirectorySettings;
  password: string;
  groups: string[];
  /** Searches answered, and of those how many were refused for their size. */
  stats: { searches: number; pages: number; sizeLimitExceeded: number };
  close(): Promise<void>;
}

export async function startSizeLimitedDirectory(options: { groupCount: number; sizeLimit?: number; memberOf?: boolean }): Promise<SizeLimitedDirectory> {
  const sizeLimit = options.sizeLimit ?? 1000;
  const servicePassword = randomBytes(12).toString('base64url');
  const password = randomBytes(12).toString('base64url');
  const groups = Array.from({ length: options.groupCount }, (_, i) => `cn=grp-${String(i).padStart(4, '0')},ou=groups,${AD_BASE}`);
  const stats = { searches: 0, pages: 0, sizeLimitExceeded: 0 };
  const server: LdapServer = ldapjs.createServer();
  const norm = (dn: string) => dn.toLowerCase().replace(/\s*([,=])\s*/g, '$1');

  server.bind(AD_BASE, (req, res, next) => {
    const dn = norm(req.dn.toString());
    if ((dn === norm(SERVICE) && req.credentials === servicePassword) || (dn === norm(PERSON) && req.credentials === password)) return (res.end(), next());
    (res as unknown as { diagnosticMessage: string }).diagnosticMessage = '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563';
    res.end(49);
    return next();
  });
  server.search(AD_BASE, (req, res0, next) => {
    const res = res0 as unknown as Res;
    res.attributes = [];
    stats.searches++;
    const filter = req.filter.toString();
    let entries: Array<{ dn: string; attributes: Record<string, string[]> }>;
    if (/samaccountname=/i.test(filter)) {
      const wanted = /sAMAccountName=([^)]*)\)/i.exec(filter)?.[1]?.toLowerCase();
      entries =
        wanted === 'manygroups'
          ? [{ dn: PERSON, attributes: { sAMAccountName: ['manygroups'], cn: ['Many Groups'], ...(options.memberOf ? { memberOf: groups } : {}) } }]
          : [];
    } else {
      entries = groups.map((dn) => ({ dn, attributes: { cn: [dn.slice(3, dn.indexOf(','))] } }));
    }
    const paged = ((req as unknown as { controls: Control[] }).controls ?? []).find((c) => c.type === PAGED_OID);
    if (!paged) {
      for (const e of entries.slice(0, sizeLimit)) res.send(e);
      if (entries.length > sizeLimit) {
        stats.sizeLimitExceeded++;
        res.end(4); // sizeLimitExceeded, as AD answers past MaxPageSize
      } else res.end();
      return next();
    }
    stats.pages++;
    const size = Math.min(paged.value?.size || sizeLimit, sizeLimit);
    const start = paged.value?.cookie?.length ? Number(paged.value.cookie.toString()) : 0;
    const page = entries.slice(start, start + size);
    for (const e of page) res.send(e);
    const nextStart = start + page.length;
    const cookie = nextStart < entries.length ? Buffer.from(String(nextStart)) : Buffer.alloc(0);
    res.addControl(new PagedResultsControl({ value: { size: entries.length, cookie } }));
    res.end();
    return next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    settings: {
      url: `ldap://127.0.0.1:${server.address().port}`,
      bindDN: SERVICE,
      bindCredentials: servicePassword,
      searchBase: AD_BASE,
      searchFilter: '(&(objectCategory=person)(sAMAccountName={{username}}))',
      groupSearchBase: AD_BASE,
      groupSearchFilter: '(member:1.2.840.113556.1.4.1941:={{dn}})',
      timeoutMs: 5000,
    },
    password,
    groups,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
