/**
 * Every request gets a fresh id (never taken from the client), sent back as `x-amzn-RequestId`
 * (the header AWS SDKs read) and used in logs and error bodies.
 */
import type { RequestHandler, Response } from 'express';
import { newRequestId } from '../shared/ids.js';

export const REQUEST_ID_HEADER = 'x-amzn-RequestId';

export function requestId(): RequestHandler {
  return (_req, res, next) => {
    const id = newRequestId();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}

/** The id assigned by `requestId()`, or `unknown` when it did not run. */
export function requestIdOf(res: Response): string {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : 'unknown';
}
