/**
 * `server:` — the one HTTP listener and how Gatehouse sees itself from outside.
 */
import { z } from 'zod';

/** `host:port`, `[v6]:port`; port 0 asks the OS for a free port (tests). */
const LISTEN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Splits `server.listen` into a host (brackets removed) and a port, or returns undefined. */
export function parseListen(listen: string): { host: string; port: number } | undefined {
  const m = LISTEN.exec(listen);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Formats a host and port back into `server.listen` form. */
export function formatListen(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** An absolute http(s) URL without query, fragment or user info, normalised by WHATWG URL rules. */
export const httpUrl = z
  .string()
  .refine((v) => {
    if (!URL.canParse(v)) return false;
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username && !u.password;
  }, 'expected an absolute http:// or https:// URL without query, fragment or credentials')
  .transform((v) => new URL(v).href);

export const serverSchema = z
  .strictObject({
    /**
     * Address and port to listen on, `host:port` (IPv6 as `[::1]:8080`).
     * Default `127.0.0.1:8080` (loopback only). Example: `0.0.0.0:8080` in a container.
     * Recommendation: keep loopback and put a TLS-terminating proxy in front. `PORT` overrides the port.
     */
    listen: z
      .string()
      .refine((v) => parseListen(v) !== undefined, 'expected host:port')
      .default('127.0.0.1:8080'),
    /**
     * The URL browsers and clients use to reach Gatehouse. Decides cookie `Secure`, HSTS and the
     * default `federation.consoleUrl` / `trustedIssuers`.
     * Default: `http://` + `listen` (`0.0.0.0`/`::` shown as `127.0.0.1`).
     * Example: `https://gatehouse.example.com`. Recommendation: https in every shared deployment.
     */
    publicUrl: httpUrl.transform((v) => v.replace(/\/+$/, '')).optional(),
    /**
     * Express `trust proxy`: whether `X-Forwarded-For`/`-Proto` are believed. Default `false`.
     * Example: `"10.0.0.0/8"` or `1` (hops). Recommendation: name your proxy's address; never `true`
     * on a listener clients can reach directly, or rate limits can be bypassed by a forged header.
     */
    trustProxy: z
      .union([z.boolean(), z.number().int().min(0).max(32), z.string().min(1), z.array(z.string().min(1)).min(1)])
      .default(false),
    /**
     * How long a graceful shutdown (SIGTERM/SIGINT) waits for in-flight requests before closing
     * connections, in ms. Default `10000`. Recommendation: below the orchestrator's kill timeout
     * (Kubernetes: 30 s).
     */
    shutdownGraceMs: z.number().int().min(0).max(300_000).default(10_000),
  })
  .prefault({});

export type ServerConfig = z.output<typeof serverSchema>;
