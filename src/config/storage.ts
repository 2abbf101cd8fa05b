/**
 * `store:` and `sessions:` — where state lives. SQLite and the SQLite session store are the
 * single-instance defaults; PostgreSQL and Redis are for shared deployments.
 */
import { z } from 'zod';

/** The embedded store used when nothing is configured (relative to the working directory). */
export const DEFAULT_STORE_URL = 'sqlite:./data/gatehouse.db';

function isStoreUrl(v: string): boolean {
  if (v.startsWith('sqlite:')) return v.length > 'sqlite:'.length;
  return /^postgres(ql)?:\/\//.test(v) && URL.canParse(v);
}

function isSessionStore(v: string): boolean {
  return v === 'sqlite' || (/^rediss?:\/\//.test(v) && URL.canParse(v));
}

export const storeSchema = z
  .strictObject({
    /**
     * The database. `sqlite:PATH` (file, created on first start) or `postgres://user:pass@host/db`.
     * Default `sqlite:./data/gatehouse.db`. `DATABASE_URL` overrides it; `GATEHOUSE_DATA_DIR` moves
     * the SQLite file. Recommendation: PostgreSQL as soon as more than one instance runs; pass its
     * password through `DATABASE_URL` rather than the file.
     */
    url: z
      .string()
      .refine(isStoreUrl, 'expected sqlite:PATH or a postgres:// URL')
      .default(DEFAULT_STORE_URL),
    /**
     * Revocation bound across instances, in ms. A change made through this instance (deny the
     * broker, delete a key, detach a policy) applies to its very next request; a change made by
     * another instance or process sharing the database applies here within this bound, the
     * longest this instance reuses what it knows of the account's permissions without reading
     * the store. 0 reads the store on every request. Default 250, at most 5000.
     */
    revocationBoundMs: z.number().int().min(0).max(5000).default(250),
  })
  .prefault({});

export const sessionsSchema = z
  .strictObject({
    /**
     * Browser (portal and console) session store: `sqlite` (in the store's SQLite file; dev only,
     * one instance) or `redis://host:6379` / `rediss://…`. Default `sqlite`. `REDIS_URL` overrides it.
     * Recommendation: Redis in production; sign-in tokens and rate limits are shared through it.
     */
    store: z
      .string()
      .refine(isSessionStore, 'expected "sqlite" or a redis:// or rediss:// URL')
      .default('sqlite'),
  })
  .prefault({});

export type StoreConfig = z.output<typeof storeSchema>;
export type SessionsConfig = z.output<typeof sessionsSchema>;
