/**
 * Serving `GET /metrics`:
 * - on its own listener (`metrics.listen`), which answers nothing else (404);
 * - on the public listener only with `Authorization: Bearer <metrics.bearerToken>` (compared in
 *   constant time); without a token configured the public listener has no /metrics (404), and a
 *   wrong or missing token is 401. Scrapes are never cached.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metrics } from './index.js';

async function answer(metrics: Metrics, res: ServerResponse): Promise<void> {
  const { contentType, body } = await metrics.scrape();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/** Whether a request is `GET /metrics` (query string ignored). */
export function isMetricsRequest(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && (req.url === '/metrics' || req.url?.startsWith('/metrics?') === true);
}

/** The public listener's /metrics: bearer token only. */
export function bearerMetrics(metrics: Metrics, token: string) {
  const want = createHash('sha256').update(token).digest();
  return (req: IncomingMessage, res: ServerResponse): void => {
    const got = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (got === undefined || !timingSafeEqual(createHash('sha256').update(got).digest(), want)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"', 'cache-control': 'no-store' });
      res.end('Unauthorized\n');
      return;
    }
    answer(metrics, res).catch(() => res.destroy());
  };
}

/** A listener of its own. */
export function metricsServer(metrics: Metrics): Server {
  return createServer((req, res) => {
    if (!isMetricsRequest(req)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found\n');
      return;
    }
    answer(metrics, res).catch(() => res.destroy());
  });
}
