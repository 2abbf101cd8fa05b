/**
 * What a failed *user* bind means. (A failed service-account bind is always a fault.)
 *
 * - LDAP result 49 (invalidCredentials) is a refused login. Active Directory says why in the
 *   diagnostic message, `... AcceptSecurityContext error, data 52e, v4563`:
 *   525 unknown user, 52e bad password, 530 logon hours, 531 workstation, 532 password expired,
 *   533 disabled, 701 account expired, 773 must change password, 775 locked out.
 *   OpenLDAP's ppolicy answers 49 for a locked account too, without a sub-code.
 * - LDAP result 19 (constraintViolation) is what some servers answer for a locked account.
 * - Anything else (busy, unwilling, protocol error, connection lost) is a fault: `unavailable`.
 *
 * - A 49 with an AD sub-code not listed above is `directory-refused`, logged with the raw code.
 *
 * Every refusal reaches the caller as the same generic `invalid-credentials`; the reason (and the
 * AD sub-code, when there is one) is for the server log only. The diagnostic message reaches the
 * error through `bindWithDiagnostic` (ldapjs.ts): ldapjs 3.0.7 alone drops it.
 */
import type { RefusalReason } from './types.js';

const AD_SUB_CODES: Record<string, RefusalReason> = {
  '525': 'unknown-user',
  '52e': 'bad-password',
  '530': 'logon-hours',
  '531': 'logon-workstation',
  '532': 'password-expired',
  '533': 'account-disabled',
  '534': 'account-disabled',
  '701': 'account-expired',
  '773': 'password-must-change',
  '775': 'account-locked',
};

/** An error as ldapjs reports an LDAP result: `name` like `InvalidCredentialsError`, numeric `code`. */
interface LdapResultError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  lde_message?: unknown;
}

/** The Active Directory sub-code in a bind error's diagnostic message, lower-cased (`52e`). */
export function adSubCode(err: unknown): string | undefined {
  const e = (err ?? {}) as LdapResultError;
  const text = [e.lde_message, e.message].filter((t) => typeof t === 'string').join(' ');
  return /\bdata ([0-9a-f]{3,4}),/i.exec(text)?.[1]?.toLowerCase();
}

/** Why a user bind was refused: the reason, and AD's sub-code as sent (`52e`) when there was one. */
export interface BindRefusal {
  reason: RefusalReason;
  adCode?: string;
}

/** The refusal for a failed user bind, or undefined when the failure is a fault. */
export function classifyUserBindError(err: unknown): BindRefusal | undefined {
  const e = (err ?? {}) as LdapResultError;
  if (e.name === 'InvalidCredentialsError' || e.code === 49) {
    const adCode = adSubCode(err);
    if (adCode === undefined) return { reason: 'bad-password' };
    return { reason: AD_SUB_CODES[adCode] ?? 'directory-refused', adCode };
  }
  if (e.name === 'ConstraintViolationError' || e.code === 19) return { reason: 'account-locked' };
  return undefined;
}
