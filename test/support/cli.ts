/** Runs the `gatehouse` command from source (no build needed), as a real process. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** `gatehouse <args>` with `input` on stdin and `env` added to the environment. */
export function gatehouse(args: string[], input: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, stdio: 'pipe', env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

export interface ServedChild {
  url: string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  exited: Promise<number | null>;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `gatehouse serve` on `dataDir` as a real process on a free port, in production mode, with
 * `env` added to its environment. Resolves once it listens. (Run it under libfaketime with
 * `fakeTimeEnv`, not under the `faketime` program: that one forks, and a signal sent to it
 * would not reach the server.)
 */
export function serveChild(dataDir: string, options: { env?: Record<string, string> } = {}): Promise<ServedChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0', GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_CONFIG: '', NODE_ENV: 'production', ...options.env } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /Gatehouse listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1]!, exited, output: () => out, kill: (signal) => child.kill(signal) });
    });
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`gatehouse serve exited ${code} before listening: ${out}`)));
  });
}

/** libfaketime's multi-threaded library (Debian's libfaketime package), or undefined when it is not installed. */
export function fakeTimeLibrary(): string | undefined {
  const lib = '/usr/lib';
  if (!existsSync(lib)) return undefined;
  for (const dir of readdirSync(lib)) {
    const file = join(lib, dir, 'faketime', 'libfaketimeMT.so.1');
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** The environment that runs a process under libfaketime with its clock moved by `offset` (e.g. `+6h`). */
export function fakeTimeEnv(offset: string): Record<string, string> {
  const library = fakeTimeLibrary();
  if (!library) throw new Error('libfaketime is not installed (apt-get install faketime)');
  return { LD_PRELOAD: library, FAKETIME: offset, FAKETIME_DONT_RESET: '1' };
}
