/**
 * Keeping secrets out of the audit trail.
 *
 * - Passwords and MFA codes are replaced by AWS's `HIDDEN_DUE_TO_SECURITY_REASONS`.
 * - Secrets whose identity matters (session tokens, sign-in tokens, SAML assertions, web
 *   identity tokens, device codes, user codes, refresh tokens, CLI grants) become `hmac-sha256:<hex>` under a
 *   key derived from the KEK (`audit-hmac`), as Vault's audit devices do: an auditor holding
 *   a value can compute its HMAC with `gatehouse`'s key and search for it.
 * - Parameter names become CloudTrail's lowerCamelCase (`UserName` → `userName`).
 * Any member whose name looks secret and is not listed is hidden too (fail safe).
 */
import { createHmac } from 'node:crypto';

export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const HIDE = /password|authenticationcode|tokencode|seed|privatekey|secretaccesskey|^code$/i;
const HMAC = /token|assertion|devicecode|usercode|refresh|^grant$|secret/i;

export class Redactor {
  constructor(private readonly key: Buffer) {}

  /** `hmac-sha256:<hex>` of a secret value. */
  hmac(value: string): string {
    return `hmac-sha256:${createHmac('sha256', this.key).update(value, 'utf8').digest('hex')}`;
  }

  /** A decoded input (AWS member names) as CloudTrail requestParameters, secrets removed. */
  parameters(input: Record<string, unknown> | undefined): Record<string, unknown> | null {
    if (!input || Object.keys(input).length === 0) return null;
    return this.walk(input) as Record<string, unknown>;
  }

  private walk(value: unknown, name = ''): unknown {
    if (name !== '' && typeof value === 'string') {
      if (HIDE.test(name)) return HIDDEN;
      if (HMAC.test(name)) return this.hmac(value);
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.walk(v, name));
    if (value instanceof Date) return value.toISOString();
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[lowerCamel(k)] = this.walk(v, k);
      return out;
    }
    return value;
  }
}

function lowerCamel(name: string): string {
  return /^[A-Z]{2,}[a-z]/.test(name) ? name.replace(/^[A-Z]+(?=[A-Z])/, (m) => m.toLowerCase()) : name.charAt(0).toLowerCase() + name.slice(1);
}
