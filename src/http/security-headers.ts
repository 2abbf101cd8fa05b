/**
 * Response headers set on every response, before any route runs (so 404s and 500s carry them):
 * - CSP from helmet's defaults with `frame-ancestors 'none'`; no `upgrade-insecure-requests` on http
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
 * - HSTS only when `server.publicUrl` is https (a browser would otherwise pin a plain-http host)
 * - `Cache-Control: no-store` by default, since pages may show credentials; static assets may override
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export function securityHeaders(publicUrl: string): RequestHandler {
  const https = new URL(publicUrl).protocol === 'https:';
  const headers = helmet({
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}
