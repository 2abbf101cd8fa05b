/**
 * CSRF protection for every state-changing form of a signed-in session (synchronizer token in
 * the session, csrf-sync): a POST without the session's `_csrf` value is 403. The sign-in form,
 * which has no session yet, uses a signed double-submit cookie instead (login-csrf.ts), refused
 * with the same error. Nothing that changes state answers GET.
 */
import { csrfSync } from 'csrf-sync';

export const { csrfSynchronisedProtection, generateToken, invalidCsrfTokenError } = csrfSync({
  getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined),
});
