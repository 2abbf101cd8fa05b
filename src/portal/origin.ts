/**
 * The origin of a mint: what the portal request itself says about where it came from, for the
 * broker's request context (broker.ts `MintOrigin`).
 * - Transport: Express's `req.secure` — TLS on the socket, or `X-Forwarded-Proto: https` only
 *   when the peer is a trusted proxy (`server.trustProxy`); anything else is not secure.
 * - Address: Express's `req.ip`, under the same trust rule for X-Forwarded-For, IPv4-mapped
 *   addresses as plain IPv4 (as the query API and the console give aws:SourceIp).
 * - Request id: the one the response carries (`x-amzn-RequestId`).
 */
import type { Request, Response } from 'express';
import type { MintOrigin } from './broker.js';

export function mintOrigin(req: Request, res: Response): MintOrigin {
  const requestId: unknown = res.locals.requestId;
  return { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), secureTransport: req.secure, ...(typeof requestId === 'string' && { requestId }) };
}

/** The request's facts for a portal audit event (client address behind trustProxy, request id). */
export function auditFacts(req: Request, res: Response, now: number): { sourceIp: string; userAgent?: string | undefined; requestId?: string; now: number } {
  const origin = mintOrigin(req, res);
  return { sourceIp: origin.sourceIp, userAgent: req.headers['user-agent'], ...(origin.requestId !== undefined && { requestId: origin.requestId }), now };
}
