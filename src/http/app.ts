/**
 * `createApp(deps)`: the Express application. Order matters: request id and security headers
 * first (so every response, 404 and 500 included, carries them), then health routes, then the
 * feature routes the composition root mounts, then the 404 and error handlers (an HTML page for
 * browsers on every path, JSON for API clients). The favicon is a static SVG, also at /favicon.ico.
 */
import ejs from 'ejs';
import express, { type Express } from 'express';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';
import type { Logger } from '../shared/logger.js';
import { errorHandler, notFound } from './errors.js';
import { healthRoutes } from './health.js';
import { Readiness } from './readiness.js';
import { requestId } from './request-id.js';
import { securityHeaders } from './security-headers.js';

export interface AppDeps {
  /** Only `server` is read here (publicUrl, trustProxy). */
  config: Pick<Config, 'server'>;
  logger: Logger;
  /** Readiness checks behind `/readyz`; a fresh one (no checks, ready) when omitted. */
  readiness?: Readiness;
  /** Mount feature routers (query API, federation, portal, console); run in order before the 404 handler. */
  routes?: ReadonlyArray<(app: Express) => void>;
}

/** ejs templates and the static assets (CSS, JS; no inline script, so the CSP can forbid it). */
export const VIEWS_DIR = fileURLToPath(new URL('../../views', import.meta.url));
const STATIC_DIR = fileURLToPath(new URL('../../views/static', import.meta.url));

export function createApp(deps: AppDeps): Express {
  const readiness = deps.readiness ?? new Readiness();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.server.trustProxy);

  app.use(requestId());
  app.use(securityHeaders(deps.config.server.publicUrl));
  app.use((_req, res, next) => {
    // While draining, finish this request but do not keep the connection for another.
    if (readiness.draining) res.setHeader('Connection', 'close');
    next();
  });

  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  // Includes are written from the views root (`include('/partials/head')`): ejs resolves those
  // against `root` without the existsSync that a relative include costs on every render.
  app.engine('ejs', (file, data, done) => {
    const cache = Boolean((data as { settings?: Record<string, unknown> }).settings?.['view cache']);
    ejs.renderFile(file, data as ejs.Data, { root: VIEWS_DIR, cache }, done as (err: Error | null, html?: string) => void);
  });
  app.use('/static', express.static(STATIC_DIR, { index: false, fallthrough: true, maxAge: '1h' }));
  // Browsers ask for /favicon.ico on pages without the head partial's link (JSON 404s, images).
  app.get('/favicon.ico', (_req, res) => res.type('image/svg+xml').sendFile(join(STATIC_DIR, 'favicon.svg'), { maxAge: '1h' }));
  app.use(healthRoutes(readiness, deps.logger));
  for (const mount of deps.routes ?? []) mount(app);

  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}
