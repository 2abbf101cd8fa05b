/**
 * config: the typed configuration, validated once at start-up.
 *
 * Flow: `loadConfig({ file, env })` reads the YAML file (`--config`, else `GATEHOUSE_CONFIG`,
 * else embedded defaults), applies environment overrides (env.ts), validates with one strict zod
 * schema per section (server.ts, storage.ts, directory.ts, federation.ts, permission-sets.ts,
 * runtime.ts), fills defaults derived from other keys (schema.ts) and returns a `Config`. Any
 * problem throws one `ConfigError` naming the key paths. `configWarnings()` lists dev-only
 * settings for the caller to log. Each option is documented where it is declared;
 * `config/gatehouse.example.yaml` shows them all.
 *
 * Imports: zod, yaml, node built-ins and src/shared only.
 */
export { loadConfig, type LoadConfigOptions } from './load.js';
export { configWarnings } from './warnings.js';
export { ConfigError } from './errors.js';
export { configSchema, withBoundPort, type Config } from './schema.js';
export { parseListen, formatListen, type ServerConfig } from './server.js';
export type { StoreConfig, SessionsConfig } from './storage.js';
export type { DirectoryConfig } from './directory.js';
export type { PermissionSetConfig } from './permission-sets.js';
export type { PolicyConfig, LogConfig } from './runtime.js';
export { isTimeZone, LOG_LEVELS } from './runtime.js';
export type { Env } from './env.js';
