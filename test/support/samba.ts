/**
 * A throwaway Active Directory domain controller for the AD suite and the bench: Samba 4 AD DC
 * (Debian's samba-ad-dc), as ../shared/notes/samba-ad-test-server.md describes it.
 *
 * - `samba-tool domain provision` into a temp `--targetdir` (realm CORP.EXAMPLE.COM, DC dc1,
 *   SAMBA_INTERNAL DNS records but no DNS service, so a domain-root search returns AD's three
 *   referrals); hostname, /etc/hosts, /etc/resolv.conf and /etc/samba are left alone;
 * - smb.conf completed by hand: services `ldap, cldap, kdc, rpc` on `lo` only, simple binds on
 *   plain ldap:// (`ldap server require strong auth = no`), pid/lock/state/cache/private/log under
 *   the target dir, `ldb:nosync`, and TLS with a test CA and a server certificate whose SANs are
 *   dc1.corp.example.com, localhost, this machine's name, 127.0.0.1 and ::1 (LDAPS on 636 and
 *   StartTLS on 389);
 * - fixtures loaded straight into sam.ldb in one process (samba-fixtures.py): a service account
 *   (`CN=svc-gatehouse,OU=Service Accounts,…`, as in the README's example),
 *   a plain user, a nested-group user, disabled, must-change, expired-account, expired-password
 *   (its password set 60 days in the past under faketime), lockout-prone and non-ASCII users,
 *   and optionally ~1,100 groups around one person; every password generated here;
 * - `samba -i` in its own process group with stdin at /dev/null (it exits when a piped stdin
 *   ends), so the whole DC can be stopped, frozen (SIGSTOP) and thawed (SIGCONT) at once.
 *
 * Ports 389/636 are fixed in Samba, so only one DC runs per machine: `startSamba` takes a lock
 * file (`/tmp/gatehouse-samba.lock`, waiting for a live holder, taking over a dead one). Keep
 * every suite that uses it in one test file. `sambaSkip()` says why it cannot run: a skip on a
 * laptop, a failure when CI=true.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIRECTORY_PRESETS } from '../../src/config/directory.js';
import type { DirectorySettings } from '../../src/directory/index.js';
import { ldapjs } from '../../src/directory/ldapjs.js';

/** The README's example domain (example.com is reserved for documentation; nothing resolves it here). */
export const REALM = 'CORP.EXAMPLE.COM';
export const DNS_DOMAIN = 'corp.example.com';
export const BASE_DN = 'DC=corp,DC=example,DC=com';
const SAMBA = '/usr/sbin/samba';
const SAMBA_TOOL = '/usr/bin/samba-tool';
const FAKETIME = '/usr/bin/faketime';
const PYTHON = '/usr/bin/python3';
const LOCK = join(tmpdir(), 'gatehouse-samba.lock');
const FIXTURES = new URL('./samba-fixtures.py', import.meta.url);

/** A skip reason when Samba's AD DC is missing; throws instead when CI=true. */
export function sambaSkip(): string | false {
  const missing = [SAMBA, SAMBA_TOOL, FAKETIME, PYTHON].filter((p) => !existsSync(p));
  if (missing.length === 0 && process.getuid?.() === 0) return false;
  const reason =
    missing.length > 0
      ? `Samba AD DC not installed (${missing.join(', ')}); apt-get install --no-install-recommends samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind ldb-tools ldap-utils faketime`
      : 'the Samba AD DC harness needs root (samba binds ports 389/636)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
}

/** A password AD's complexity rules accept: upper, lower, digit, symbol, plus randomness. */
const password = () => `Aa1-${randomBytes(12).toString('base64url')}`;

export interface SambaUser {
  name: string;
  password: string;
  dn: string;
  upn: string;
  guid: string;
}

export type FixtureName = 'svc' | 'alice' | 'nina' | 'dora' | 'mona' | 'exie' | 'pete' | 'lola' | 'zoe' | 'many';

export interface SambaDc {
  url: string;
  ldapsUrl: string;
  caFile: string;
  dir: string;
  users: Record<FixtureName, SambaUser>;
  /** Group DNs by name (aws-readers, aws-developers, engineering, staff). */
  groups: Record<string, string>;
  /** Bulk groups around `many` (0 unless asked for). */
  bulkGroups: number;
  /** Connector settings: the AD preset over this DC, service account `svc`; `overrides` win. */
  settings(overrides?: Partial<DirectorySettings>): DirectorySettings;
  /** Binds `user` with a wrong password until AD locks the account (lockout threshold). */
  lockOut(user: FixtureName): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT to every Samba process: accepts TCP (the kernel does), answers nothing. */
  freeze(): void;
  thaw(): void;
  cleanup(): Promise<void>;
}

const LOCKOUT_THRESHOLD = 5;

function run(cmd: string, args: string[], what: string, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The machine-wide lock on ports 389/636: waits for a live holder, takes over a dead one. */
async function takeLock(timeoutMs = 15 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(LOCK, 'utf8') === String(process.pid)) rmSync(LOCK);
        } catch {
          /* already gone */
        }
      };
    } catch {
      const holder = Number(readFileSync(LOCK, 'utf8') || '0');
      if (!holder || !alive(holder)) rmSync(LOCK, { force: true });
      else if (Date.now() > deadline) throw new Error(`the Samba DC lock ${LOCK} is held by pid ${holder}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A test CA and a server certificate for the DC, with every name a client may use. */
function certificates(dir: string): { ca: string; cert: string; key: string } {
  const p = (n: string) => join(dir, n);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', ['req', '-x509', ...ec, '-keyout', p('ca-key.pem'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Gatehouse test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], 'openssl CA');
  run('openssl', ['req', ...ec, '-keyout', p('key.pem'), '-out', p('req.pem'), '-subj', `/CN=dc1.${DNS_DOMAIN}`], 'openssl request');
  writeFileSync(p('ext.cnf'), `subjectAltName=DNS:dc1.${DNS_DOMAIN},DNS:localhost,DNS:${hostname()},IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n`);
  run('openssl', ['x509', '-req', '-in', p('req.pem'), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-out', p('cert.pem'), '-days', '2', '-extfile', p('ext.cnf')], 'openssl sign');
  return { ca: p('ca.pem'), cert: p('cert.pem'), key: p('key.pem') };
}

const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

export interface StartSambaOptions {
  /** Groups (each with `many` as member) to add: ~1,100 for the tokenGroups/in-chain comparison. */
  bulkGroups?: number;
}

export async function startSamba(options: StartSambaOptions = {}): Promise<SambaDc> {
  const release = await takeLock();
  let dir: string | undefined;
  try {
    for (const port of [389, 636]) if (await canConnect(port)) throw new Error(`port ${port} is already in use (a system Samba or slapd?)`);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-samba-'));
    const target = join(dir, 'dc');
    mkdirSync(target);
    const tls = certificates(dir);
    run(SAMBA_TOOL, [
      'domain', 'provision', `--targetdir=${target}`, `--realm=${REALM}`, '--domain=CORP', '--server-role=dc', '--host-name=dc1', '--host-ip=127.0.0.1',
      `--adminpass=${password()}`, '--dns-backend=SAMBA_INTERNAL', '--option=netbios name=DC1', '--option=interfaces=lo', '--option=bind interfaces only=yes',
    ], 'samba-tool domain provision');
    const conf = join(target, 'etc', 'smb.conf');
    mkdirSync(join(target, 'run'));
    const extra = [
      'server services = ldap, cldap, kdc, rpc',
      'ldap server require strong auth = no',
      'ldb:nosync = true',
      `pid directory = ${join(target, 'run')}`,
      `log file = ${join(target, 'log.%m')}`,
      'log level = 0',
      'tls enabled = yes',
      `tls keyfile = ${tls.key}`,
      `tls certfile = ${tls.cert}`,
      `tls cafile = ${tls.ca}`,
    ];
    const text = readFileSync(conf, 'utf8')
      .replace(/^\s*(server services|log file)\s*=.*$/gm, '')
      .replace('[global]', `[global]\n${extra.map((l) => `\t${l}`).join('\n')}`);
    writeFileSync(conf, text);

    // Fixtures, straight into sam.ldb.
    const users = {} as Record<FixtureName, SambaUser>;
    const spec = (name: FixtureName, sam: string, given: string, surname: string, state: string | null = null, pw = password(), ou = 'CN=Users') => {
      users[name] = { name: sam, password: pw, dn: `CN=${sam},${ou},${BASE_DN}`, upn: `${sam}@${DNS_DOMAIN}`, guid: '' };
      return { name: sam, password: pw, given, surname, mail: `${sam}@${DNS_DOMAIN}`, state, ...(ou === 'CN=Users' ? {} : { ou }) };
    };
    const bulk = options.bulkGroups ?? 0;
    const fixture = {
      ous: ['OU=Service Accounts', 'OU=Groups', ...(bulk ? ['OU=Bulk'] : [])],
      lockoutThreshold: LOCKOUT_THRESHOLD,
      users: [
        spec('svc', 'svc-gatehouse', 'Gatehouse', 'Service', null, password(), 'OU=Service Accounts'),
        spec('alice', 'alice', 'Alice', 'Liddell'),
        spec('nina', 'nina', 'Nina', 'Nested'),
        spec('dora', 'dora', 'Dora', 'Disabled', 'disabled'),
        spec('mona', 'mona', 'Mona', 'Mustchange', 'mustChange'),
        spec('exie', 'exie', 'Exie', 'Expired', 'accountExpired'),
        spec('pete', 'pete', 'Pete', 'Passwordexpired'),
        spec('lola', 'lola', 'Lola', 'Locked'),
        spec('zoe', 'zoë.ångström', 'Zoë', 'Ångström', null, `Pässwörd-Ω${randomBytes(6).toString('hex')}1A`),
        spec('many', 'manygroups', 'Many', 'Groups'),
      ],
      groups: [
        { name: 'aws-readers', ou: 'OU=Groups', members: ['alice'] },
        { name: 'aws-developers', ou: 'OU=Groups', members: ['nina'] },
        { name: 'engineering', ou: 'OU=Groups', members: ['aws-developers'] },
        { name: 'staff', ou: 'OU=Groups', members: ['engineering', 'zoë.ångström'] },
      ],
      ...(bulk ? { bulkGroups: { prefix: 'bulk-', count: bulk, ou: 'OU=Bulk', member: 'manygroups' } } : {}),
    };
    const specFile = join(dir, 'fixtures.json');
    writeFileSync(specFile, JSON.stringify(fixture), { mode: 0o600 });
    const out = JSON.parse(run(PYTHON, [FIXTURES.pathname, conf, specFile], 'Samba fixtures').trim().split('\n').at(-1)!) as { guids: Record<string, string> };
    for (const u of Object.values(users)) u.guid = out.guids[u.name] ?? '';
    // An expired password: set 60 days ago (the default maximum age is 42 days).
    const pete = join(dir, 'pete.json');
    writeFileSync(pete, JSON.stringify({ setPassword: [{ name: users.pete.name, password: users.pete.password }] }), { mode: 0o600 });
    run(FAKETIME, ['-f', '-60d', PYTHON, FIXTURES.pathname, conf, pete], 'faketime setpassword');
    rmSync(specFile);
    rmSync(pete);
    const groups = Object.fromEntries(fixture.groups.map((g) => [g.name, `CN=${g.name},OU=Groups,${BASE_DN}`]));

    let child: ChildProcess | undefined;
    const start = async () => {
      const proc = spawn(SAMBA, ['-i', '-s', conf], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      child = proc;
      running.add(proc.pid!);
      for (let i = 0; i < 600; i++) {
        if (proc.exitCode !== null) throw new Error(`samba exited (${proc.exitCode}): ${stderr}`);
        if ((await canConnect(389)) && (await canConnect(636)) && (await rootDse())) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`samba did not answer within 60 s: ${stderr}`);
    };
    const signal = (sig: NodeJS.Signals) => {
      if (child?.pid) process.kill(-child.pid, sig);
    };
    const stop = async () => {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      process.kill(-proc.pid!, 'SIGCONT');
      process.kill(-proc.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-proc.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // Its workers go with it; wait until the ports are free again.
      for (let i = 0; i < 100 && ((await canConnect(389)) || (await canConnect(636))); i++) await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* all gone */
      }
      running.delete(proc.pid!);
    };
    await start();

    const url = 'ldap://127.0.0.1';
    const settings = (overrides: Partial<DirectorySettings> = {}): DirectorySettings => ({
      kind: 'activeDirectory',
      url,
      bindDN: users.svc.dn,
      bindCredentials: users.svc.password,
      searchBase: BASE_DN,
      searchFilter: DIRECTORY_PRESETS.activeDirectory.searchFilter,
      groupSearchBase: BASE_DN,
      groupSearchFilter: DIRECTORY_PRESETS.activeDirectory.groupSearchFilter,
      usernameAttribute: 'sAMAccountName',
      tokenGroups: DIRECTORY_PRESETS.activeDirectory.tokenGroups,
      timeoutMs: 10_000,
      ...overrides,
    });
    const workDir = dir;
    return {
      url,
      ldapsUrl: 'ldaps://127.0.0.1',
      caFile: tls.ca,
      dir: workDir,
      users,
      groups,
      bulkGroups: bulk,
      settings,
      lockOut: async (name) => {
        for (let i = 0; i < LOCKOUT_THRESHOLD; i++) await bindOnce(users[name].upn, `wrong-${password()}`);
      },
      stop,
      start,
      freeze: () => signal('SIGSTOP'),
      thaw: () => signal('SIGCONT'),
      cleanup: async () => {
        try {
          await stop();
        } finally {
          rmSync(workDir, { recursive: true, force: true });
          release();
        }
      },
    };
  } catch (err) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    release();
    throw err;
  }
}

/** One simple bind on a fresh connection; resolves whatever the answer. */
export function bindOnce(dn: string, pw: string, url = 'ldap://127.0.0.1'): Promise<Error | null> {
  return new Promise((resolve) => {
    const client = ldapjs.createClient({ url, timeout: 5000, connectTimeout: 5000 });
    client.on('error', (err) => (client.destroy(), resolve(err as Error)));
    client.bind(dn, pw, (err) => {
      client.destroy();
      resolve(err);
    });
  });
}

/** Whether the DC answers a rootDSE search (ldapwhoami does not work against Samba). */
function rootDse(): Promise<boolean> {
  return new Promise((resolve) => {
    const client = ldapjs.createClient({ url: 'ldap://127.0.0.1', timeout: 2000, connectTimeout: 2000 });
    const done = (ok: boolean) => (client.destroy(), resolve(ok));
    client.on('error', () => done(false));
    client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['defaultNamingContext'] }, (err: Error | null, res: { on(e: string, l: (x: unknown) => void): void }) => {
      if (err) return done(false);
      res.on('error', () => done(false));
      res.on('end', () => done(true));
    });
  });
}
