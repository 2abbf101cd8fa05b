/**
 * Environment overrides, applied to the raw config before validation so their values are
 * checked like the file's:
 * - `PORT`               → port of `server.listen` (host kept)
 * - `DATABASE_URL`       → `store.url`
 * - `GATEHOUSE_DATA_DIR` → directory of a SQLite `store.url` (unless DATABASE_URL is set), and `dataDir`
 * - `REDIS_URL`          → `sessions.store`
 * (`GATEHOUSE_CONFIG` names the file; see load.ts.)
 */
import { basename, join } from 'node:path';
import { ConfigError } from './errors.js';
import { formatListen, parseListen } from './server.js';
import { DEFAULT_STORE_URL } from './storage.js';

export type Env = Readonly<Record<string, string | undefined>>;

type RawObject = Record<string, unknown>;

function isObject(v: unknown): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The section `key` of `raw`, created when absent; undefined when it is not a mapping (validation reports it). */
function section(raw: RawObject, key: string): RawObject | undefined {
  if (raw[key] === undefined) raw[key] = {};
  const value = raw[key];
  return isObject(value) ? value : undefined;
}

function envPort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError('config: PORT: expected a port number (0-65535)');
  return port;
}

/**
 * Returns a copy of `raw` with the overrides applied, and which key paths came from which variable.
 * @throws ConfigError when PORT is not a port number
 */
export function applyEnv(raw: RawObject, env: Env): { raw: RawObject; sources: Map<string, string> } {
  const out = structuredClone(raw);
  const sources = new Map<string, string>();
  const set = (key: string, field: string, value: string, from: string) => {
    const target = section(out, key);
    if (!target) return;
    target[field] = value;
    sources.set(`${key}.${field}`, from);
  };

  if (env.PORT !== undefined && env.PORT !== '') {
    const port = envPort(env.PORT);
    const current = isObject(out.server) ? out.server.listen : undefined;
    const parsed = typeof current === 'string' ? parseListen(current) : undefined;
    // A bad listen in the file is left for validation to report, rather than silently replaced.
    if (current === undefined || parsed) set('server', 'listen', formatListen(parsed?.host ?? '127.0.0.1', port), 'PORT');
  }
  if (env.DATABASE_URL) {
    set('store', 'url', env.DATABASE_URL, 'DATABASE_URL');
  } else if (env.GATEHOUSE_DATA_DIR) {
    const current = isObject(out.store) ? (out.store.url ?? DEFAULT_STORE_URL) : DEFAULT_STORE_URL;
    if (typeof current === 'string' && current.startsWith('sqlite:') && current !== 'sqlite::memory:') {
      set('store', 'url', `sqlite:${join(env.GATEHOUSE_DATA_DIR, basename(current.slice('sqlite:'.length)))}`, 'GATEHOUSE_DATA_DIR');
    }
  }
  if (env.REDIS_URL) set('sessions', 'store', env.REDIS_URL, 'REDIS_URL');
  return { raw: out, sources };
}
