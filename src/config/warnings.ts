/**
 * Dev-only settings that are fine on a laptop and wrong in production. The caller logs each
 * string as a warning at start-up.
 * - `permissionSets` empty is a warning only with a real directory: with `directory.url:
 *   embedded` the demo sets are active (and the embedded directory has its own warning).
 */
import type { Config } from './schema.js';

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[::1\])$/i;

/** Warnings about the configuration, one human-readable sentence each; empty when production-ready. */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  if (config.directory.url === 'embedded') {
    out.push('directory.url is "embedded": the in-process demo directory with demo users is in use (dev only)');
  } else if (/^ldap:\/\//i.test(config.directory.url) && !config.directory.starttls) {
    out.push('directory.url uses plain ldap://: passwords cross the network in clear; use ldaps:// or directory.starttls');
  }
  if (config.sessions.store === 'sqlite') {
    out.push('sessions.store is "sqlite": sessions, sign-in tokens and rate limits are local to this instance (dev only; use redis://)');
  }
  const publicUrl = new URL(config.server.publicUrl);
  if (publicUrl.protocol === 'http:' && !LOOPBACK.test(publicUrl.hostname)) {
    out.push('server.publicUrl is http:// on a non-loopback host: cookies are not Secure and there is no HSTS; use https');
  }
  if (config.server.trustProxy === true) {
    out.push('server.trustProxy is true: any client can forge X-Forwarded-For; name the proxy address instead');
  }
  // With the embedded directory and no sets configured, the demo's permission sets are served
  // (src/portal/demo.ts): the portal has something to offer, so there is nothing to warn about.
  if (config.permissionSets.length === 0 && config.directory.url !== 'embedded') {
    out.push('permissionSets is empty: the portal has nothing to offer (the demo permission sets come only with directory.url "embedded")');
  }
  return out;
}
