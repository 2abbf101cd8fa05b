/**
 * GET /portal/cli/gatehouse.mjs: the CLI helper (`gatehouse login`, `gatehouse credentials`) as
 * one zero-dependency ES module for Node >= 20, to run outside any clone:
 *   mkdir -p ~/.gatehouse && curl -fsS <publicUrl>/portal/cli/gatehouse.mjs -o ~/.gatehouse/gatehouse.mjs
 * It is the very file the in-repo `gatehouse login` / `gatehouse credentials` run
 * (src/commands/standalone/gatehouse.mjs), read once at start-up. Served as
 * text/javascript, with an ETag, and no cookies or session.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router } from 'express';

/** The helper's source, from the package (src/commands/standalone/), for dist/ and tsx alike. */
export const HELPER_FILE = new URL('../../src/commands/standalone/gatehouse.mjs', import.meta.url);

export function helperFileRoute(): Router {
  const router = Router();
  const body = readFileSync(HELPER_FILE);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  router.get('/portal/cli/gatehouse.mjs', (req, res) => {
    res.set({ 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache', ETag: etag, 'Content-Disposition': 'inline; filename="gatehouse.mjs"' });
    if (req.headers['if-none-match'] === etag) return void res.status(304).end();
    res.send(body);
  });
  return router;
}
