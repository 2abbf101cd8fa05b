/**
 * /console/…: the console. Order: body parsing → sign-in pages (no session
 * needed) → the gate (live identity or the 401 timeout page) → CSRF on every
 * POST → pages. Sign-out ends the session and returns to its Issuer.
 */
import express, { Router } from 'express';
import { csrfSynchronisedProtection } from '../web/csrf.js';
import { consoleGate, type ConsoleGateDeps } from './session.js';
import { homeRoutes } from './home.js';

export interface ConsoleDeps extends ConsoleGateDeps {
  /** Extra routers mounted after the gate (IAM pages, security credentials). */
  pages?: Router[];
  /** Routers mounted before the gate (IAM-user sign-in). */
  publicPages?: Router[];
}

export function consoleRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  for (const p of deps.publicPages ?? []) router.use(p);
  router.use(consoleGate(deps));
  router.use(csrfSynchronisedProtection);
  router.post('/logout', (req, res) => {
    const issuer = deps.issuers?.trusted(req.session.console?.issuer);
    const s = req.session.console;
    if (s) deps.audit?.session(s, { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), userAgent: req.headers['user-agent'], now: deps.iam.clock.now() }, { source: 'signin', name: 'ConsoleSignOut', signIn: true });
    req.session.destroy(() => res.redirect(303, issuer ?? '/console/signin'));
  });
  router.use(homeRoutes());
  for (const p of deps.pages ?? []) router.use(p);
  return router;
}
