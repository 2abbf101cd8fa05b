/**
 * The whole configuration: one strict schema per section (unknown keys are refused), then the
 * defaults that depend on other keys (`publicUrl` from `listen`, console and issuer URLs from
 * `publicUrl`).
 */
import { z } from 'zod';
import { auditSchema, metricsSchema } from './audit.js';
import { directorySchema } from './directory.js';
import { federationSchema } from './federation.js';
import { permissionSetsSchema } from './permission-sets.js';
import { portalSchema } from './portal.js';
import { logSchema, policySchema } from './runtime.js';
import { formatListen, parseListen, serverSchema } from './server.js';
import { sessionsSchema, storeSchema } from './storage.js';

/** `http://` + listen address, with wildcard hosts shown as loopback. */
export function defaultPublicUrl(listen: string): string {
  const { host, port } = parseListen(listen)!;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}

export const configSchema = z
  .strictObject({
    server: serverSchema,
    store: storeSchema,
    sessions: sessionsSchema,
    directory: directorySchema,
    federation: federationSchema,
    permissionSets: permissionSetsSchema,
    portal: portalSchema,
    policy: policySchema,
    log: logSchema,
    audit: auditSchema,
    metrics: metricsSchema,
  })
  .transform((c) => {
    const publicUrl = c.server.publicUrl ?? defaultPublicUrl(c.server.listen);
    return {
      ...c,
      server: { ...c.server, publicUrl },
      federation: {
        ...c.federation,
        consoleUrl: c.federation.consoleUrl ?? `${publicUrl}/console/`,
        trustedIssuers: c.federation.trustedIssuers ?? [`${publicUrl}/portal/`],
      },
    };
  });

/** The validated configuration, every default filled in. */
export type Config = z.output<typeof configSchema> & {
  /** Directory for local files (SQLite database, root credentials file): `GATEHOUSE_DATA_DIR`, else `./data`. */
  dataDir: string;
};

/**
 * The config after binding `server.listen` to `port` (used when port 0 was resolved by the OS).
 * URLs that were derived from the old address follow; URLs set explicitly stay.
 */
export function withBoundPort(config: Config, port: number): Config {
  const { host } = parseListen(config.server.listen)!;
  const listen = formatListen(host, port);
  const oldUrl = config.server.publicUrl;
  if (oldUrl !== defaultPublicUrl(config.server.listen)) return { ...config, server: { ...config.server, listen } };
  const publicUrl = defaultPublicUrl(listen);
  const follow = (url: string) => (url.startsWith(`${oldUrl}/`) ? publicUrl + url.slice(oldUrl.length) : url);
  return {
    ...config,
    server: { ...config.server, listen, publicUrl },
    federation: {
      ...config.federation,
      consoleUrl: follow(config.federation.consoleUrl),
      trustedIssuers: config.federation.trustedIssuers.map(follow),
    },
  };
}
