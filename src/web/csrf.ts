/**
 * CSRF protection for every state-changing form (synchronizer token in the
 * session, csrf-sync): a POST without the session's `_csrf` value is 403.
 * Nothing that changes state answers GET.
 */
import { csrfSync } from 'csrf-sync';

export const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => (typeof req.body?._csrf === 'string' ? req.body._csrf : undefined),
});
