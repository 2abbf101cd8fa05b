/**
 * checkCredentials: the refusals made before any connection to the directory is opened.
 *
 * - username and password must both be present and be strings (arrays and objects from a parsed
 *   body are refused, never coerced);
 * - neither may be empty or whitespace only (an empty password would be an anonymous bind,
 *   which most directories accept as "success");
 * - the username may not contain an LDAP filter metacharacter: `*`, `(`, `)`, `\` or NUL;
 * - the username is at most 256 characters and the password at most 4096 (longer input is an
 *   attack on the directory, not a login).
 *
 * Each refusal is the generic `invalid-credentials` to the caller; the reason is for the log.
 */
import type { RefusalReason } from './types.js';

export const MAX_USERNAME_LENGTH = 256;
export const MAX_PASSWORD_LENGTH = 4096;

const FILTER_METACHARACTERS = /[*()\\\0]/;

export type CredentialsCheck = { ok: true; username: string; password: string } | { ok: false; reason: RefusalReason };

function checkUsername(username: unknown): RefusalReason | undefined {
  if (username === undefined || username === null) return 'username-missing';
  if (typeof username !== 'string') return 'username-not-string';
  if (username.trim() === '') return 'username-blank';
  if (username.length > MAX_USERNAME_LENGTH) return 'username-too-long';
  if (FILTER_METACHARACTERS.test(username)) return 'username-metacharacters';
  return undefined;
}

function checkPassword(password: unknown): RefusalReason | undefined {
  if (password === undefined || password === null) return 'password-missing';
  if (typeof password !== 'string') return 'password-not-string';
  if (password.trim() === '') return 'password-blank';
  if (password.length > MAX_PASSWORD_LENGTH) return 'password-too-long';
  return undefined;
}

/** Applies the rules above; the values are returned unchanged (never trimmed) when they pass. */
export function checkCredentials(username: unknown, password: unknown): CredentialsCheck {
  const reason = checkUsername(username) ?? checkPassword(password);
  if (reason) return { ok: false, reason };
  return { ok: true, username: username as string, password: password as string };
}
