/**
 * A real Gatehouse for end-to-end tests: the server on an ephemeral port with its
 * own temporary data directory (SQLite), the root credentials it generated, and
 * clients for the AWS SDK and the real AWS CLI (/usr/bin/aws).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { start, type RunningServer } from '../../src/main.js';
import type { Clock } from '../../src/shared/clock.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import { tempDir } from './files.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (undefined when empty or not JSON). */
  json: any;
}

export interface TestGatehouse {
  url: string;
  server: RunningServer;
  accountId: string;
  root: Credentials;
  iam(credentials?: Credentials): IAMClient;
  sts(credentials?: Credentials): STSClient;
  /**
   * Runs `/usr/bin/aws <args>` against this server with the given credentials (default root).
   * Asynchronous: the server runs in this process, so a synchronous spawn would deadlock it.
   */
  cli(args: string[], credentials?: Credentials): Promise<CliResult>;
  close(): Promise<void>;
}

export const AWS_CLI = '/usr/bin/aws';

export interface StartGatehouseOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Default: silent. Pass `captureLogger().logger` to read the server's log lines. */
  logger?: Logger;
  /** A config file (as `GATEHOUSE_CONFIG`). */
  configFile?: string;
  /** An existing data directory (kept at close, so a later start reuses it). Default: a fresh temp dir, removed at close. */
  dataDir?: string;
}

export async function startGatehouse(options: StartGatehouseOptions = {}): Promise<TestGatehouse> {
  const tmp = options.dataDir ? { dir: options.dataDir, cleanup: () => undefined } : tempDir();
  const server = await start({
    env: { PORT: '0', GATEHOUSE_DATA_DIR: tmp.dir, ...(options.configFile && { GATEHOUSE_CONFIG: options.configFile }), ...options.env },
    logger: options.logger ?? silentLogger,
    out: { write: () => undefined },
    ...(options.clock && { clock: options.clock }),
  });
  const file = JSON.parse(readFileSync(join(tmp.dir, 'root-credentials.json'), 'utf8')) as { AccountId: string; AccessKeyId: string; SecretAccessKey: string };
  const root = { accessKeyId: file.AccessKeyId, secretAccessKey: file.SecretAccessKey };
  const common = (credentials: Credentials) => ({ endpoint: server.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  return {
    url: server.url,
    server,
    accountId: file.AccountId,
    root,
    iam: (credentials = root) => new IAMClient(common(credentials)),
    sts: (credentials = root) => new STSClient(common(credentials)),
    cli: (args, credentials = root) => awsCli(server.url, args, credentials, { home: tmp.dir }),
    async close() {
      await server.close();
      tmp.cleanup();
    },
  };
}

/**
 * The real AWS CLI (/usr/bin/aws) against `endpoint`, with `credentials` in its environment and
 * no config or credentials file; `prefix` runs it under another program (e.g. faketime).
 */
export function awsCli(endpoint: string, args: string[], credentials: Credentials, options: { home: string; prefix?: string[] }): Promise<CliResult> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...awsCliEnv(credentials, options.home) };
  const [program, ...argv] = [...(options.prefix ?? []), AWS_CLI, '--endpoint-url', endpoint, '--region', 'us-east-1', '--output', 'json', ...args];
  return new Promise((resolve) => {
    execFile(program!, argv, { encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : -1) : 0;
      let json: unknown;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: code, stdout, stderr, json });
    });
  });
}

/** The AWS CLI's environment: these credentials, `home` as HOME, no config or credentials file, no pager, one attempt. */
export function awsCliEnv(credentials: Credentials, home: string): Record<string, string> {
  return {
    HOME: home,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken && { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
