/**
 * Loading: pick the file (`--config`, else `GATEHOUSE_CONFIG`, else none: embedded defaults),
 * parse YAML strictly (duplicate keys are errors), apply environment overrides, validate once,
 * and check that referenced files exist.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { applyEnv, type Env } from './env.js';
import { ConfigError, formatIssues } from './errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadConfigOptions {
  /** The `--config` flag; takes precedence over `GATEHOUSE_CONFIG`. */
  file?: string | undefined;
  /** Usually `process.env`; tests pass a literal. */
  env: Env;
  /** Base for relative paths (`policyFile`, data dir). Default `process.cwd()`. */
  cwd?: string;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { cause: err });
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw new ConfigError(`config: ${file}: ${first.message.split('\n')[0]!.replace(/:$/, '')}`, { cause: first });
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config: ${file}: expected a mapping at the top level`);
  return value as Record<string, unknown>;
}

function checkPolicyFiles(config: Config, cwd: string): void {
  const problems: string[] = [];
  config.permissionSets.forEach((set, i) => {
    if (set.policyFile === undefined) return;
    let ok = false;
    try {
      ok = statSync(resolve(cwd, set.policyFile)).isFile();
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`config: permissionSets[${i}].policyFile: no such file: ${set.policyFile}`);
  });
  if (problems.length) throw new ConfigError(problems.join('\n'));
}

/**
 * Loads and validates the configuration.
 * @throws ConfigError naming each bad key path and what is wrong with it
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? (options.env.GATEHOUSE_CONFIG || undefined);
  const fileRaw = file === undefined ? {} : readYaml(resolve(cwd, file));
  const { raw, sources } = applyEnv(fileRaw, options.env);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues, sources), { cause: result.error });
  const config: Config = { ...result.data, dataDir: options.env.GATEHOUSE_DATA_DIR || './data' };
  checkPolicyFiles(config, cwd);
  return config;
}
