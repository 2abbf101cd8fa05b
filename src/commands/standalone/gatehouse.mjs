#!/usr/bin/env node
/**
 * gatehouse.mjs: the Gatehouse command-line helper, in one file with no dependencies (Node >= 20,
 * `node:` built-ins only). The portal serves this very file at /portal/cli/gatehouse.mjs, and the
 * in-repo `gatehouse login` / `gatehouse credentials` run it, so the two cannot drift.
 *
 *   node gatehouse.mjs login --portal URL [--no-browser] [--insecure-http]
 *     Signs the command line in with the OAuth 2.0 device grant (RFC 8628): prints the page to
 *     open and the code it shows (stdout), opens a browser unless --no-browser (failure ignored),
 *     waits for the approval in the portal, and stores the CLI grant in ~/.gatehouse/
 *     ($GATEHOUSE_HOME overrides; folder 0700, files 0600).
 *   node gatehouse.mjs credentials --portal URL --permission-set NAME [--insecure-http]
 *     credential_process for the AWS CLI and SDKs: prints {"Version":1,"AccessKeyId",
 *     "SecretAccessKey","SessionToken","Expiration"} with no prompt. Credentials are cached
 *     (same folder, 0600) and reused until 5 minutes before they expire, once the portal has
 *     confirmed that the grant still entitles to the set (so a removed group membership ends
 *     their use at once). No grant, or an expired or revoked one: one stderr line
 *     `run: gatehouse login --portal URL` and exit 1, never a prompt or a wait.
 *   node gatehouse.mjs credentials --portal URL --permission-set NAME --user NAME [--password-stdin]
 *     The password path for scripts: the password is read from the terminal (/dev/tty, not
 *     echoed) or, with --password-stdin, from stdin. Piped stdin is never read otherwise, and with
 *     no terminal and no --password-stdin it fails at once.
 *   node gatehouse.mjs logout --portal URL
 *     Forgets the stored grant and cached credentials (revoke it on the portal page as well).
 *
 * --portal takes the portal's address with or without its /portal/ path. http:// is refused
 * except for loopback addresses, unless --insecure-http. Every request has a 15 s deadline.
 * Exit status: 0 done, 1 refused or failed, 2 usage.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const CLIENT_ID = 'gatehouse-cli';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const REUSE_MARGIN_MS = 5 * 60_000;
const HTTP_TIMEOUT_MS = 15_000;
const MAX_PASSWORD_BYTES = 4096;

const USAGE = `usage:
  gatehouse login --portal URL [--no-browser] [--insecure-http]
  gatehouse credentials --portal URL --permission-set NAME [--insecure-http]
  gatehouse credentials --portal URL --permission-set NAME --user NAME [--password-stdin]
  gatehouse logout --portal URL
`;

/** A refusal or failure to report in one line; `exitCode` 1 (failed) or 2 (usage). */
export class CliError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** @param {string} host */
function isLoopback(host) {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The portal's base URL (origin plus any path prefix, without /portal/), from --portal as given.
 * @param {string} input @param {{ insecureHttp?: boolean }} [options]
 */
export function portalBase(input, options = {}) {
  let u;
  try {
    u = new URL(input);
  } catch {
    throw new CliError(`--portal: not a URL: ${input}`, 2);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new CliError(`--portal: expected an https:// URL, got ${u.protocol}`, 2);
  if (u.username || u.password || u.search || u.hash) throw new CliError('--portal: give the portal address only (no user, query or fragment)', 2);
  if (u.protocol === 'http:' && !isLoopback(u.hostname) && !options.insecureHttp) {
    throw new CliError(`refusing the http:// portal ${u.origin}: grants and credentials would cross the network unencrypted. Use https://, or --insecure-http if you must.`, 2);
  }
  let path = u.pathname.replace(/\/+$/, '');
  if (path.endsWith('/portal')) path = path.slice(0, -'/portal'.length);
  return `${u.origin}${path}`;
}

// ------------------------------------------------------------------------------------------
// Files under ~/.gatehouse (GATEHOUSE_HOME): folder 0700, files 0600, written whole (rename).

/** @param {Record<string, string | undefined>} env */
export function homeFolder(env) {
  return env.GATEHOUSE_HOME || join(homedir(), '.gatehouse');
}

/** @param {string} text */
const key = (text) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** @param {string} dir */
function privateFolder(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** @param {string} dir @param {string} name @param {unknown} value */
function writePrivate(dir, name, value) {
  privateFolder(dir);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(value)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, join(dir, name));
}

/** @param {string} dir @param {string} name @returns {any} */
function readJson(dir, name) {
  try {
    return JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch {
    return undefined;
  }
}

const grantFile = (/** @type {string} */ base) => `grant-${key(base)}.json`;
const cacheFile = (/** @type {string} */ base, /** @type {string} */ set) => `credentials-${key(base)}-${key(set)}.json`;

/** Removes the stored grant and every cached credential for the portal. */
function forget(/** @type {string} */ dir, /** @type {string} */ base) {
  let names = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(`credentials-${key(base)}-`) || name === grantFile(base)) rmSync(join(dir, name), { force: true });
  }
}

// ------------------------------------------------------------------------------------------
// HTTP

/**
 * @param {string} url @param {RequestInit} init
 * @returns {Promise<{ status: number, body: any }>}
 */
async function request(url, init) {
  let res;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  } catch (err) {
    const e = /** @type {any} */ (err);
    const cause = e?.name === 'TimeoutError' ? `no answer within ${HTTP_TIMEOUT_MS / 1000} s` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? 'error');
    throw new CliError(`cannot reach the portal at ${new URL(url).origin} (${cause})`);
  }
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = {};
  }
  return { status: res.status, body };
}

/** @param {string} url @param {Record<string, string>} fields */
const postForm = (url, fields) => request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams(fields).toString() });

/** @param {string} url @param {unknown} body @param {string} [bearer] */
const postJson = (url, body, bearer) =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...(bearer && { authorization: `Bearer ${bearer}` }) }, body: JSON.stringify(body) });

/** @param {number} status @param {any} body */
const refusal = (status, body) => `${status} ${String(body?.code ?? 'Error')}: ${String(body?.message ?? 'the portal refused the request')}`;

// ------------------------------------------------------------------------------------------
// login

/** @param {string} url */
function openBrowser(url) {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser: the URL is on stdout.
  }
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {string} base
 * @param {{ browser: boolean }} options
 * @param {Io} io
 */
async function login(base, options, io) {
  const start = await postForm(`${base}/portal/oauth/device_authorization`, { client_id: CLIENT_ID });
  const d = start.body;
  if (start.status !== 200 || typeof d.device_code !== 'string' || typeof d.user_code !== 'string') {
    throw new CliError(`the portal refused to start a sign-in: ${start.status} ${d.error ?? ''} ${d.error_description ?? ''}`.trim());
  }
  const page = typeof d.verification_uri_complete === 'string' ? d.verification_uri_complete : d.verification_uri;
  io.stdout.write(`To sign in, open this page in a browser where you are signed in to the portal:\n\n    ${page}\n\nand check that it shows the code ${d.user_code}\n(or open ${d.verification_uri} and type the code).\n\nWaiting for approval...\n`);
  if (options.browser) openBrowser(page);
  let interval = Number.isFinite(d.interval) && d.interval > 0 ? d.interval : 5;
  const deadline = Date.now() + (Number.isFinite(d.expires_in) ? d.expires_in : 600) * 1000;
  for (;;) {
    await sleep(interval * 1000);
    if (Date.now() > deadline) throw new CliError('the code expired before it was approved; run gatehouse login again');
    const r = await postForm(`${base}/portal/oauth/token`, { grant_type: DEVICE_GRANT, device_code: d.device_code, client_id: CLIENT_ID });
    if (r.status === 200 && typeof r.body.access_token === 'string') return r.body;
    switch (r.body.error) {
      case 'authorization_pending':
        continue;
      case 'slow_down':
        interval = Math.max(interval + 5, Number.isFinite(r.body.interval) ? r.body.interval : 0);
        continue;
      case 'access_denied':
        throw new CliError('the sign-in was denied in the portal');
      case 'expired_token':
        throw new CliError('the code expired before it was approved; run gatehouse login again');
      default:
        throw new CliError(`the portal refused the sign-in: ${r.status} ${r.body.error ?? ''} ${r.body.error_description ?? ''}`.trim());
    }
  }
}

// ------------------------------------------------------------------------------------------
// credentials

/** @param {any} c */
function credentialProcessJson(c) {
  for (const k of ['AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']) {
    if (typeof c?.[k] !== 'string' || !c[k]) throw new CliError(`the portal answered without ${k}`);
  }
  return { Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration };
}

/**
 * The password path: a password from the terminal (not echoed) or, with --password-stdin, stdin.
 * @param {{ passwordStdin: boolean, user: string }} o @param {Io} io
 */
async function readPassword(o, io) {
  if (o.passwordStdin) {
    const chunks = [];
    let size = 0;
    for await (const chunk of io.stdin) {
      size += chunk.length;
      if (size > MAX_PASSWORD_BYTES) throw new CliError('--password-stdin: the password is too long');
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  let fd;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new CliError('no terminal to read the password from: use --password-stdin, or gatehouse login (no password at all)');
  }
  const tty = new ReadStream(fd);
  writeSync(fd, `Password for ${o.user}: `);
  tty.setRawMode(true);
  try {
    return await new Promise((resolve, reject) => {
      let text = '';
      tty.on('data', (/** @type {Buffer} */ chunk) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(text);
          if (ch === '\u0003' || ch === '\u0004') return reject(new CliError('interrupted'));
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      });
      tty.on('error', (err) => reject(new CliError(`cannot read the terminal: ${err.message}`)));
    });
  } finally {
    tty.setRawMode(false);
    writeSync(fd, '\n');
    tty.destroy();
  }
}

/**
 * @param {string} base @param {string} portalArg @param {string} set @param {Io} io
 * @returns {Promise<object>}
 */
async function credentialsWithGrant(base, portalArg, set, io) {
  const dir = homeFolder(io.env);
  const stored = readJson(dir, grantFile(base));
  const signIn = new CliError(`run: gatehouse login --portal ${portalArg}`);
  if (!stored || typeof stored.grant !== 'string' || !(stored.expiresAt > Date.now())) throw signIn;
  const api = `${base}/portal/api/credentials`;
  const grantKey = key(stored.grant);
  const cached = readJson(dir, cacheFile(base, set));
  if (cached && cached.grant === grantKey && Date.parse(cached.credentials?.Expiration) - Date.now() > REUSE_MARGIN_MS) {
    // Reuse only what the grant still entitles to: the portal re-reads the groups, mints nothing.
    const check = await postJson(api, { permissionSet: set, check: true }, stored.grant);
    if (check.status === 204) return cached.credentials;
    if (check.status === 401) {
      forget(dir, base);
      throw signIn;
    }
    // Not entitled any more (403), or the portal cannot tell: this set's cache is not used again.
    rmSync(join(dir, cacheFile(base, set)), { force: true });
    throw new CliError(refusal(check.status, check.body));
  }
  const r = await postJson(api, { permissionSet: set }, stored.grant);
  if (r.status === 401) {
    forget(dir, base);
    throw signIn;
  }
  if (r.status !== 200) throw new CliError(refusal(r.status, r.body));
  const credentials = credentialProcessJson(r.body);
  writePrivate(dir, cacheFile(base, set), { grant: grantKey, credentials });
  return credentials;
}

// ------------------------------------------------------------------------------------------
// main

/**
 * @typedef {{ stdout: { write(s: string): unknown }, stderr: { write(s: string): unknown },
 *   stdin: AsyncIterable<Buffer | string>, env: Record<string, string | undefined> }} Io
 */

/**
 * Runs one command (`args` without node and the script: `['login', '--portal', URL]`).
 * @param {readonly string[]} args @param {Io} [io] @returns {Promise<number>} the exit status
 */
export async function main(args, io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env }) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        portal: { type: 'string' },
        'permission-set': { type: 'string' },
        user: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        'no-browser': { type: 'boolean' },
        'insecure-http': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.stderr.write(`gatehouse: ${/** @type {Error} */ (err).message}\n${USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || command === undefined || command === 'help') {
    (v.help || command === 'help' ? io.stdout : io.stderr).write(USAGE);
    return v.help || command === 'help' ? 0 : 2;
  }
  try {
    if (positionals.length > 1) throw new CliError(`unexpected argument: ${positionals[1]}`, 2);
    if (!['login', 'credentials', 'logout'].includes(command)) throw new CliError(`unknown command: ${command}`, 2);
    if (!v.portal) throw new CliError('--portal URL is required', 2);
    const base = portalBase(v.portal, { insecureHttp: v['insecure-http'] === true });
    const dir = homeFolder(io.env);
    if (command === 'logout') {
      forget(dir, base);
      io.stdout.write('Signed out on this machine. Revoke the sign-in on the portal page as well if the grant may have leaked.\n');
      return 0;
    }
    if (command === 'login') {
      const token = await login(base, { browser: v['no-browser'] !== true }, io);
      const expiresAt = Date.now() + (Number.isFinite(token.expires_in) ? token.expires_in : 3600) * 1000;
      forget(dir, base);
      writePrivate(dir, grantFile(base), { portal: base, grant: token.access_token, expiresAt, createdAt: Date.now() });
      io.stdout.write(`Signed in. Until ${new Date(expiresAt).toISOString()} this machine can get credentials with:\n    gatehouse credentials --portal ${v.portal} --permission-set NAME\n`);
      return 0;
    }
    const set = v['permission-set'];
    if (!set) throw new CliError('--permission-set NAME is required', 2);
    if (v['password-stdin'] && v.user === undefined) throw new CliError('--password-stdin goes with --user NAME', 2);
    let credentials;
    if (v.user !== undefined) {
      const password = await readPassword({ passwordStdin: v['password-stdin'] === true, user: v.user }, io);
      const r = await postJson(`${base}/portal/api/credentials`, { username: v.user, password, permissionSet: set });
      if (r.status !== 200) throw new CliError(refusal(r.status, r.body));
      credentials = credentialProcessJson(r.body);
    } else {
      credentials = await credentialsWithGrant(base, v.portal, set, io);
    }
    io.stdout.write(`${JSON.stringify(credentials)}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    const line = err.message.startsWith('run: ') ? err.message : `gatehouse ${command}: ${err.message}`;
    io.stderr.write(`${line}\n${err.exitCode === 2 ? USAGE : ''}`);
    return err.exitCode;
  }
}

/** Whether node was started with this file (not imported by the in-repo CLI). */
function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await main(process.argv.slice(2));
}
