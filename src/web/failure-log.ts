/**
 * Every 5xx the portal answers is in the log once, with its request id (SECURITY H11):
 * - a handler that knows the cause logs it (with `requestId`) and calls `noteFailureLogged`;
 * - the error handler (http/errors.ts) logs the 5xx it answers and marks them the same way;
 * - any other 5xx (a handler that answered 503 and said nothing) gets one warn line when the
 *   response ends: request id, status, method and path — never the query string, a header or
 *   the body, which may hold a password or a token.
 */
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../shared/logger.js';

const LOGGED = 'failureLogged';

/** Marks this response's failure as logged (with its cause), so it is not logged again. */
export function noteFailureLogged(res: Response): void {
  res.locals[LOGGED] = true;
}

/** Logs, at warn, each 5xx answered under this middleware that nothing else logged. */
export function logUnloggedFailures(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const path = req.originalUrl.split('?')[0];
    res.once('finish', () => {
      if (res.statusCode < 500 || res.locals[LOGGED] === true) return;
      logger.warn({ event: 'http.failure', requestId: res.locals.requestId, status: res.statusCode, method: req.method, path }, 'answered a server error');
    });
    next();
  };
}
