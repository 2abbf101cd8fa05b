/**
 * The Principal / NotPrincipal element of trust and resource policies.
 *
 * - `"*"` (or `{"AWS": "*"}`) is everyone (every AWS principal, for `{"AWS": "*"}`).
 * - An account id or `arn:aws:iam::ACCOUNT:root` is every principal of that account.
 * - A user, role, federated-user or assumed-role ARN is exactly that principal; a
 *   role ARN also covers the sessions of that role.
 * - `Service` and `Federated` name service principals and identity providers.
 * - A wildcard inside a principal value (other than a lone `*`) is invalid, as in AWS.
 */
import { parseArn } from '../shared/arn.js';
import { isJsonObject, type JsonValue } from './json.js';
import type { TrustPrincipal } from './types.js';

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_KEYS = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;
type PrincipalKey = (typeof PRINCIPAL_KEYS)[number];

export class PrincipalMatcher {
  private readonly everyone: boolean;
  private readonly anyOf = new Set<PrincipalKey>();
  private readonly accounts = new Set<string>();
  private readonly ids = new Set<string>();

  constructor(entries: ReadonlyArray<{ key: PrincipalKey | '*'; value: string }>) {
    this.everyone = entries.some((e) => e.key === '*');
    for (const { key, value } of entries) {
      if (key === '*') continue;
      if (value === '*') this.anyOf.add(key);
      else if (key === 'AWS' && ACCOUNT_ID.test(value)) this.accounts.add(value);
      else if (key === 'AWS' && /^arn:[^:]+:iam::\d{12}:root$/.test(value)) this.accounts.add(parseArn(value)!.account);
      else this.ids.add(`${key}|${value}`);
    }
  }

  matches(p: TrustPrincipal): boolean {
    if (this.everyone || this.anyOf.has(p.type)) return true;
    if (this.ids.has(`${p.type}|${p.id}`)) return true;
    if (p.type !== 'AWS') return false;
    if (p.roleArn !== undefined && this.ids.has(`AWS|${p.roleArn}`)) return true;
    const account = parseArn(p.id)?.account ?? (ACCOUNT_ID.test(p.id) ? p.id : undefined);
    return account !== undefined && this.accounts.has(account);
  }
}

/** Compiles a Principal element; throws an Error naming the problem. */
export function compilePrincipal(element: JsonValue, name: string): PrincipalMatcher {
  if (element === '*') return new PrincipalMatcher([{ key: '*', value: '*' }]);
  if (!isJsonObject(element)) throw new Error(`${name} must be "*" or an object such as {"AWS": "arn:…"}`);
  const entries: Array<{ key: PrincipalKey; value: string }> = [];
  const keys = Object.keys(element);
  if (keys.length === 0) throw new Error(`${name} must name at least one principal`);
  for (const key of keys) {
    if (!(PRINCIPAL_KEYS as readonly string[]).includes(key)) throw new Error(`${name} has an unknown principal type "${key}"`);
    const raw = element[key]!;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) throw new Error(`${name} ${key} has an empty list`);
    for (const v of values) {
      if (typeof v !== 'string') throw new Error(`${name} ${key} values must be strings`);
      checkPrincipalValue(key as PrincipalKey, v, name);
      entries.push({ key: key as PrincipalKey, value: v });
    }
  }
  return new PrincipalMatcher(entries);
}

function checkPrincipalValue(key: PrincipalKey, v: string, name: string): void {
  if (v === '*') return;
  if (v === '' || /[*?]/.test(v)) throw new Error(`Invalid principal in policy: ${name} ${key} "${v}"`);
  if (key !== 'AWS') return;
  if (ACCOUNT_ID.test(v)) return;
  const arn = parseArn(v);
  const ok =
    arn !== undefined &&
    ACCOUNT_ID.test(arn.account) &&
    ((arn.service === 'iam' && /^(root|user\/.+|role\/.+)$/.test(arn.resource)) ||
      (arn.service === 'sts' && /^(assumed-role\/[^/]+\/.+|federated-user\/.+)$/.test(arn.resource)));
  if (!ok) throw new Error(`Invalid principal in policy: ${name} AWS "${v}"`);
}
