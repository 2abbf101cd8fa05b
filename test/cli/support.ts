/**
 * Shared pieces of the CLI sign-in suites: `gatehouse login` as a running process whose printed
 * code is approved over HTTP as a signed-in portal user would (GET /portal/device, POST approve
 * with the session's CSRF token), `/usr/bin/aws` with a credential_process profile, and a clean
 * environment with no password in it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import supertest from 'supertest';
import { AWS_CLI } from '../support/gatehouse.js';
import { csrfIn, signedIn, text } from '../portal/helpers.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** PATH, HOME and the given variables only: nothing inherited (no password can hide in it). */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, LANG: 'C.UTF-8', ...extra };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command; `input` (if any) is written to stdin, which is otherwise left open and unread
 * (`'open'`) or closed at once (undefined). Detached: no controlling terminal, so /dev/tty
 * cannot be opened. Killed after `timeoutMs`.
 */
export function run(cmd: string, args: string[], o: { cwd: string; env: Record<string, string>; input?: string | 'open'; timeoutMs?: number }): Promise<Run & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env, stdio: 'pipe', detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
    if (o.input === 'open') child.stdin.write('a-password-that-must-not-be-read\n');
    else child.stdin.end(o.input ?? '');
  });
}

/** `gatehouse <args>` from the clone (through tsx), as a real process. */
export const inClone = (args: string[], home: string, extra: { env?: Record<string, string>; input?: string | 'open' } = {}) =>
  run(process.execPath, ['--import', 'tsx', `${ROOT}src/cli.ts`, ...args], { cwd: ROOT, env: cleanEnv(home, { GATEHOUSE_HOME: `${home}/.gatehouse`, ...extra.env }), ...(extra.input !== undefined && { input: extra.input }) });

/**
 * Starts `login` (the command line given), waits for the code it prints, approves it in the
 * portal as `username`, and resolves once the process has exited.
 */
export async function loginApproved(command: string[], o: { cwd: string; env: Record<string, string>; url: string; username: string; password: string }): Promise<Run & { userCode: string }> {
  const child = spawn(command[0]!, command.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const userCode = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const m = /\?user_code=([A-Z]{4}-[A-Z]{4})\n[\s\S]*shows the code ([A-Z]{4}-[A-Z]{4})/.exec(stdout);
      if (m) {
        assert.equal(m[1], m[2]);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`login exited (${code}) before printing a code: ${stdout} ${stderr}`)));
  });
  assert.match(stdout, new RegExp(`${o.url}/portal/device\\?user_code=${userCode}`), 'the verification URL on stdout');
  const { agent } = await signedIn(o.url, o.username, o.password);
  const page = await agent.get(`/portal/device?user_code=${userCode}`);
  assert.equal(page.status, 200, text(page.text).slice(0, 300));
  const approved = await agent.post('/portal/device').type('form').send({ _csrf: csrfIn(page.text)!, user_code: userCode, decision: 'approve' });
  assert.equal(approved.status, 200);
  const code = await exited;
  clearTimeout(timer);
  return { code, stdout, stderr, userCode };
}

/** `/usr/bin/aws <args>` with the given environment (AWS_CONFIG_FILE names the profile). */
export function aws(args: string[], o: { cwd: string; env: Record<string, string> }): Promise<Run & { json: any }> {
  return new Promise((resolve) => {
    const child = execFile(AWS_CLI, args, { cwd: o.cwd, env: { AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', ...o.env }, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr, json });
    });
    child.stdin?.end();
  });
}

export { supertest };
