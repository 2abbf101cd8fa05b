/**
 * The last two handlers of the app:
 * - `notFound`: 404 JSON `{code, message, requestId}`, or an HTML page for browsers
 * - `errorHandler`: ServiceErrors answer with their status and code; 4xx errors from Express's
 *   own parsers (http-errors, `expose`) keep their status; everything else is a 500.
 * - A 5xx body is a generic message plus the request id; the cause is logged, never sent.
 * - Logs carry the path, never the query string (it may hold tokens or credentials).
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { publicMessage, ServiceError, toServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { noteFailureLogged } from '../web/failure-log.js';
import { requestIdOf } from './request-id.js';

interface Answer {
  status: number;
  code: string;
  message: string;
}

/** Errors raised by Express itself and body-parser (http-errors): a status and an `expose` flag. */
function httpErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode, expose } = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const s = typeof status === 'number' ? status : statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 && expose === true ? s : undefined;
}

const HTTP_CODES: Record<number, string> = { 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType' };

function answerFor(err: unknown): Answer {
  if (err instanceof ServiceError) return { status: err.status, code: err.code, message: publicMessage(err) };
  const status = httpErrorStatus(err);
  if (status !== undefined) {
    return { status, code: HTTP_CODES[status] ?? 'InvalidRequest', message: (err as Error).message };
  }
  const failure = toServiceError(err);
  return { status: failure.status, code: failure.code, message: publicMessage(failure) };
}

function where(req: Request): { method: string; path: string } {
  return { method: req.method, path: req.path };
}

export function notFound(): RequestHandler {
  return (req, res) => {
    if (wantsHtml(req)) {
      res.status(404).render('error', { title: 'Not found', message: 'There is no such page.', requestId: requestIdOf(res) });
      return;
    }
    res.status(404).json({ code: 'NotFound', message: 'Not found', requestId: requestIdOf(res) });
  };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const requestId = requestIdOf(res);
    const answer = answerFor(err);
    if (answer.status >= 500) {
      logger.error({ err, requestId, ...where(req) }, 'request failed');
      noteFailureLogged(res);
    }
    else logger.debug({ code: answer.code, requestId, ...where(req) }, 'request refused');
    if (res.headersSent) {
      // Part of a response is out; the only honest thing left is to cut the connection.
      res.destroy();
      return;
    }
    if (wantsHtml(req)) {
      const title = answer.status === 503 ? 'Temporarily unavailable' : answer.status >= 500 ? 'Something went wrong' : 'Request refused';
      res.status(answer.status).render('error', { title, message: answer.status === 503 ? 'A service Gatehouse depends on is not answering. Try again shortly.' : answer.message, requestId });
      return;
    }
    res.status(answer.status).json({ code: answer.code, message: answer.message, requestId });
  };
}

/**
 * A browser (its Accept prefers text/html) gets an HTML error page on every path, unknown ones
 * included; API clients (JSON, `*\/*` or no Accept) get JSON. The query API answers its own XML.
 */
function wantsHtml(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html' && Boolean(req.app.get('view engine'));
}
