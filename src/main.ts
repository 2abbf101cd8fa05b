/**
 * The composition root: load the config, build the logger and adapters, create the HTTP app,
 * listen, and shut down gracefully on SIGTERM/SIGINT. The only place implementations are
 * chosen; everything else receives its dependencies.
 *
 * Run: `node dist/main.js [--config FILE]` (npm start), or `gatehouse serve`.
 */
import { parseArgs } from 'node:util';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { configWarnings, formatListen, loadConfig, parseListen, withBoundPort, type Config, type Env } from './config/index.js';
import { isEntryPoint } from './entry-point.js';
import { createApp } from './http/app.js';
import { listen } from './http/listen.js';
import { Readiness } from './http/readiness.js';
import { ServiceError } from './shared/errors.js';
import { createLogger, type Logger } from './shared/logger.js';
import { systemClock, type Clock } from './shared/clock.js';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Store } from './store/index.js';
import { Keyring } from './iam/keyring.js';
import { PermissionResolver } from './iam/permissions.js';
import { IAM_ACTIONS } from './iam/actions/index.js';
import { setPolicyTimeZone } from './iam/authorize.js';
import { createRootKey, ensureAccount } from './iam/bootstrap.js';
import { Authenticator } from './auth/authenticate.js';
import { TokenService } from './sts/tokens.js';
import { temporaryResolver } from './sts/resolve.js';
import { stsActions } from './sts/actions.js';
import { openSessionStore } from './web/session-store.js';
import { redisLimitStores } from './web/rate-limit-store.js';
import { cookieName, sessionMiddleware } from './web/sessions.js';
import { Signin } from './federation/signin.js';
import { federationRoutes } from './federation/routes.js';
import { issuerMemory } from './federation/issuer-cookie.js';
import { consolePages, consoleRoutes, setConsoleApi, signinRoutes } from './console/index.js';
import { createApi } from './api/index.js';
import { compileTrust, isQueryRequest, queryApiHandler, requestFacts, type QueryRefusal } from './http/query/handler.js';
import { isReadOnly } from './audit/api-event.js';
import { cloudTrailHandler, isCloudTrailRequest } from './http/cloudtrail.js';
import { openDirectory } from './directory/open.js';
import { loadPermissionSets, scopedToDirectory } from './portal/permission-sets.js';
import { ensureDemo } from './portal/demo.js';
import { Broker } from './portal/broker.js';
import { portalRoutes } from './portal/routes.js';
import { openAudit, type Audit } from './audit/index.js';
import { WebAudit } from './audit/portal-events.js';
import { Redactor } from './audit/secrets.js';
import { Metrics, timedDirectory, type MetricsSources } from './metrics/index.js';
import { observeApi } from './metrics/api.js';
import { bearerMetrics, isMetricsRequest, metricsServer } from './metrics/http.js';
import type { AddressInfo } from 'node:net';
import type { SigV4Auth } from './auth/sigv4-types.js';

export interface StartOptions {
  /** `--config`; otherwise `GATEHOUSE_CONFIG`, otherwise embedded defaults. */
  configFile?: string | undefined;
  /** Default `process.env`. Tests pass `{ PORT: '0' }`. */
  env?: Env;
  /** Already-loaded config; skips loading. */
  config?: Config;
  /** Default: pino at `log.level` on stdout. */
  logger?: Logger;
  /** Where the start-up banner is written. Default stdout. */
  out?: { write(text: string): unknown };
  /** Default: the system clock. Tests freeze time with a FixedClock. */
  clock?: Clock;
}

export interface RunningServer {
  /** `http://host:port` actually bound. */
  url: string;
  config: Config;
  readiness: Readiness;
  store: Store;
  keyring: Keyring;
  /** The account served (created on first start). */
  accountId: string;
  /** The audit trail (absent with `audit.enabled: false`). */
  audit?: Audit;
  metrics: Metrics;
  /** `http://host:port/metrics` of the metrics listener, when it is listening. */
  metricsUrl?: string;
  /** Graceful shutdown: readiness fails, in-flight requests finish, connections close within the grace period. */
  close(): Promise<void>;
}

/** Starts Gatehouse and resolves once it is listening. */
export async function start(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  let config = options.config ?? loadConfig({ file: options.configFile, env });
  const logger = options.logger ?? createLogger({ level: config.log.level });
  for (const warning of configWarnings(config)) logger.warn(warning);

  const clock = options.clock ?? systemClock;
  const store = await openStore(config.store.url, { dataDir: config.dataDir, revisionBoundMs: config.store.revocationBoundMs });
  const keyring = Keyring.open(config.dataDir, env.GATEHOUSE_KEK);
  const permissions = new PermissionResolver(store);
  setPolicyTimeZone(config.policy.timeZone);
  const { account, created } = await ensureAccount(store, clock, config.federation.broker);
  const rootCredentialsFile = join(config.dataDir, 'root-credentials.json');
  if (created) {
    const key = await createRootKey(store, keyring, clock, account.id);
    writeFileSync(rootCredentialsFile, JSON.stringify(key, null, 2) + '\n', { mode: 0o600 });
    chmodSync(rootCredentialsFile, 0o600);
  }

  const readiness = new Readiness();
  readiness.register('store', () => store.ping());
  const tokens = new TokenService(keyring.deriveKey('session-tokens'));
  const authenticator = new Authenticator({ store, keyring, temporary: temporaryResolver(store, tokens) });
  const iam = { store, keyring, permissions, clock, logger, brokerName: config.federation.broker };
  const audit = config.audit.enabled ? openAudit(config.audit, { store, clock, logger, hmacKey: keyring.deriveKey('audit-hmac'), dataDir: config.dataDir, ...(options.out && { out: options.out }) }) : undefined;
  const metricSources: MetricsSources = { ...(audit && { audit: () => ({ depth: audit.trail.depth, lagMs: audit.trail.lagMs, stored: audit.trail.stored, dropped: audit.trail.dropped }) }) };
  const metrics = new Metrics(metricSources);
  const actions = { iam: IAM_ACTIONS, sts: stsActions(tokens) };
  const known = (service: string, action: string) => (service === 'iam' || service === 'sts') && Object.hasOwn(actions[service], action);
  const tables = { ...actions, audit: observeApi(metrics, known, audit?.api) };
  // Requests refused before the dispatcher (authentication, parsing): an event (Unknown identity) and a count.
  const refused = (r: QueryRefusal) => {
    const action = r.action !== undefined && known(r.service, r.action) ? r.action : '(unknown)';
    metrics.apiCall(r.service, action, 0, r.code);
    web.anonymous(r, { source: r.service, name: action, readOnly: isReadOnly(r.service, action), error: { code: r.code, message: r.message } }, r.accessKeyId);
  };
  const api = createApi(tables);
  const queryApi = queryApiHandler({ iam, api, authenticator, clock, logger, trustProxy: config.server.trustProxy, refused });
  setConsoleApi(api);
  const trust = compileTrust(config.server.trustProxy);
  const cloudTrail = cloudTrailHandler({ iam, authenticator, metrics, ...(audit && { recorder: audit.trail }), facts: (req, id, now, region) => requestFacts(req, trust, id, now, region) });

  const sessions = await openSessionStore(config.sessions.store, config.dataDir, logger);
  readiness.register('sessions', () => sessions.ping());
  const secure = config.server.publicUrl.startsWith('https:');
  const cookieSecret = keyring.deriveKey('session-cookies').toString('base64');
  const consoleSession = sessionMiddleware({ name: 'console', secure, secret: cookieSecret, store: sessions.store, maxAgeMs: 36 * 3600_000 });
  const signin = new Signin(store, tokens, keyring);
  const resolveTemporary = temporaryResolver(store, tokens);

  // The directory and the portal: configured permission sets, or the demo's with the embedded directory.
  const directory = await openDirectory(config.directory, { dataDir: config.dataDir, logger });
  const connector = timedDirectory(directory.connector, metrics);
  readiness.register('directory', () => connector.ping());
  const sets = scopedToDirectory(
    config.permissionSets.length > 0
      ? await loadPermissionSets(config.permissionSets, store, account.id, config.federation.broker)
      : directory.embedded
        ? await ensureDemo(store, clock, account.id, config.federation.broker)
        : [],
    directory.connector.groupSearchBase,
  );
  if (sessions.live) metricSources.liveSessions = () => sessions.live!(clock.now());
  const web = new WebAudit(audit?.trail, audit?.redactor ?? new Redactor(keyring.deriveKey('audit-hmac')), account.id, (channel, result) => metrics.signins.inc({ channel, result }));
  const broker = new Broker({ iam, api, signin, accountId: account.id, brokerName: config.federation.broker, logger, ...(web && { audit: web }) });
  // The caller behind a console grant, for the ConsoleLogin event.
  const callerOf = async (grant: { accessKeyId: string; sessionToken: string }) =>
    (await resolveTemporary({ accessKeyId: grant.accessKeyId, securityToken: grant.sessionToken } as SigV4Auth, clock.now())).caller;
  const portalSession = sessionMiddleware({ name: 'portal', secure, secret: cookieSecret, store: sessions.store, maxAgeMs: config.portal.idleTimeoutMinutes * 60_000 });
  const { host, port } = parseListen(config.server.listen)!;
  const handlerFor = (address: { port: number }) => {
    if (port === 0) config = withBoundPort(config, address.port);
    // Built here, after the port is bound: with port 0 the public and console URLs name the real port.
    const limitStores = sessions.sendCommand ? redisLimitStores(sessions.sendCommand) : undefined;
  const portal = portalRoutes({ limitStores, directory: connector, broker, sets, config: config.portal, clock, logger, publicUrl: config.server.publicUrl, consoleUrl: config.federation.consoleUrl, session: portalSession, loginCsrfKey: keyring.deriveKey('portal-login-csrf'), cliStore: store, ...(web && { audit: web }) });
    // The way back to the Issuer, kept beyond the console session (a signed cookie).
    const issuers = issuerMemory({ key: keyring.deriveKey('federation-issuer-cookie'), secure, lifetimeDays: config.federation.issuerCookieDays, trustedIssuers: config.federation.trustedIssuers, now: () => clock.now() });
    const app = createApp({
      config,
      logger,
      readiness,
      routes: [
        (a) => a.use(['/federation', '/console'], consoleSession),
        (a) => a.use(federationRoutes({ signin, clock, logger, consoleUrl: config.federation.consoleUrl, trustedIssuers: config.federation.trustedIssuers, issuers, ...(web && { audit: { web, callerOf } }) })),
        (a) => a.get('/', (_req, res) => res.redirect(302, '/portal/')),
        (a) => a.use(portal),
        (a) => a.use('/console', consoleRoutes({ iam, resolveTemporary, issuers, audit: web, sessionCookie: cookieName('console', secure), publicPages: [signinRoutes({ iam, secure, audit: web, ...(limitStores && { limitStores }) })], pages: consolePages() })),
      ],
    });
    const publicMetrics = config.metrics.bearerToken ? bearerMetrics(metrics, config.metrics.bearerToken) : undefined;
    return (req: IncomingMessage, res: ServerResponse) =>
      publicMetrics && isMetricsRequest(req) ? publicMetrics(req, res) : isCloudTrailRequest(req) ? void cloudTrail(req, res) : isQueryRequest(req) ? void queryApi(req, res) : app(req, res);
  };
  const listener = await listen(handlerFor, { host, port, graceMs: config.server.shutdownGraceMs, readiness, logger }).catch(async (err: unknown) => {
    await directory.close();
    await sessions.close();
    await audit?.close();
    await store.close();
    throw new Error(`cannot listen on ${config.server.listen}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  });

  // GET /metrics on its own listener (metrics.listen); a failure to bind is logged, not fatal.
  const metricsListen = config.metrics.listen ?? (port === 0 ? '127.0.0.1:0' : '127.0.0.1:9464');
  let metricsListener: Server | undefined;
  let metricsUrl: string | undefined;
  if (metricsListen !== 'off') {
    const m = parseListen(metricsListen)!;
    const server = metricsServer(metrics);
    await new Promise<void>((resolve) => {
      server.once('error', (err) => {
        logger.error({ err, listen: metricsListen }, 'metrics: cannot listen; /metrics is not served on its own address');
        resolve();
      });
      server.listen(m.port, m.host, () => {
        metricsListener = server;
        metricsUrl = `http://${formatListen(m.host, (server.address() as AddressInfo).port)}/metrics`;
        resolve();
      });
    });
  }
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${formatListen(shownHost, listener.address.port)}`;
  const out = options.out ?? process.stdout;
  out.write(`Gatehouse listening on ${url}\n`);
  if (config.server.publicUrl !== url) out.write(`Public URL: ${config.server.publicUrl}\n`);
  out.write(`Portal: ${config.server.publicUrl}/portal/\n`);
  out.write(`Account ${account.id}; root credentials ${created ? 'written to' : 'were written at first start to'} ${rootCredentialsFile} (mode 0600)\n`);
  out.write(`AWS CLI: aws --endpoint-url ${config.server.publicUrl} --region us-east-1 iam list-users\n`);
  if (directory.embedded) {
    const e = directory.embedded;
    out.write(`Demo directory (DEMO ONLY) — sign in at the portal as:\n`);
    for (const l of e.logins) {
      const groups = l.groups.map((g) => /^cn=([^,]+)/.exec(g)?.[1] ?? g).join(', ');
      out.write(`  ${l.username.padEnd(8)} ${e.generated ? l.password : '(password in ' + e.loginsFile + ')'}  [${groups}]\n`);
    }
  }
  logger.info({ url, publicUrl: config.server.publicUrl }, 'listening');

  const close = async () => {
    logger.info('shutting down');
    await listener.close();
    if (metricsListener) await new Promise<void>((resolve) => (metricsListener!.closeAllConnections(), metricsListener!.close(() => resolve())));
    await directory.close();
    await sessions.close();
    await audit?.close();
    await store.close();
    logger.info('stopped');
  };
  return { url, config, readiness, store, keyring, accountId: account.id, ...(audit && { audit }), metrics, ...(metricsUrl && { metricsUrl }), close };
}

/**
 * Runs the server until SIGTERM/SIGINT, then shuts down gracefully and exits. A second signal
 * exits at once. Start-up failures (bad config, port in use) print one line and exit 1.
 */
export async function runServer(options: StartOptions = {}): Promise<void> {
  let server: RunningServer;
  try {
    server = await start(options);
  } catch (err) {
    const message = err instanceof ServiceError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`gatehouse: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`gatehouse: ${signal}: shutting down\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
  await runServer({ configFile: values.config });
}
