/**
 * `GET /healthz` (liveness: the process answers; no dependency is consulted, so it stays fast
 * when the directory or database is down) and `GET /readyz` (readiness: every registered check
 * passes and the process is not draining). `/readyz` is anonymous: its answer is cached for
 * READINESS_CACHE_MS (2 s) with one probe at a time (readiness.ts), and a failed check is
 * logged once per probe, not once per request.
 */
import { Router } from 'express';
import type { Logger } from '../shared/logger.js';
import type { Readiness } from './readiness.js';

export function healthRoutes(readiness: Readiness, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness.evaluate();
    for (const { name, error } of report.failures) logger.warn({ check: name, err: error }, 'readiness check failed');
    const status = report.ready ? 'ok' : report.draining ? 'draining' : 'unavailable';
    res.status(report.ready ? 200 : 503).json({ status, checks: report.checks });
  });
  return router;
}
