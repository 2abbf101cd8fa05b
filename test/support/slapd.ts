/**
 * A throwaway OpenLDAP slapd for the directory suites: a temp dir, a self-signed certificate
 * (openssl), slapd.conf (core/cosine/nis/inetorgperson/dyngroup schemas, mdb, dynlist for
 * memberOf, ppolicy for a locked account, an ACL that lets anonymous only *auth*), the test LDIF
 * from test/directory/fixtures/slapd-test.ldif loaded offline with slapadd, then `slapd -d 0` in the foreground on two high
 * free ports (ldap:// and ldaps://, StartTLS on the first). Passwords are random per run.
 *
 * `slapdSkip()` says why the suites cannot run: slapd missing is a skip on a laptop and a loud
 * failure when CI=true.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectorySettings } from '../../src/directory/index.js';

export const SUFFIX = 'dc=example,dc=com';
const LDIF = new URL('../directory/fixtures/slapd-test.ldif', import.meta.url);

/** Random passwords by placeholder name (`service`, `alice`, …). */
export type TestPasswords = Record<string, string>;

function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The fixture LDIF with every `{{name}}` replaced by the hash of a fresh random password. */
function testLdif(): { ldif: string; passwords: TestPasswords } {
  const passwords: TestPasswords = {};
  const ldif = readFileSync(LDIF, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    passwords[name] ??= randomBytes(12).toString('base64url');
    return ssha(passwords[name]);
  });
  return { ldif, passwords };
}

export const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';

/** A skip reason when slapd is not installed; throws instead when CI=true. */
export function slapdSkip(): string | false {
  if (existsSync(SLAPD) && existsSync(SLAPADD)) return false;
  const reason = `OpenLDAP slapd not installed (${SLAPD}); apt-get install slapd ldap-utils`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason;
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** A self-signed certificate for localhost and 127.0.0.1; returns the cert and key paths. */
export function selfSignedCert(dir: string, name = 'server'): { cert: string; key: string } {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  const r = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key };
}

function slapdConf(dir: string, tls: { cert: string; key: string }): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/dyngroup.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload dynlist
moduleload ppolicy
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
TLSCertificateFile ${tls.cert}
TLSCertificateKeyFile ${tls.key}
database mdb
suffix "${SUFFIX}"
directory ${dir}/data
maxsize 33554432
index objectClass eq
index uid eq
index member eq
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames
overlay ppolicy
ppolicy_default "cn=default,ou=policies,${SUFFIX}"
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="cn=gatehouse,ou=services,${SUFFIX}" read by * none
`;
}

export interface Slapd {
  url: string;
  ldapsUrl: string;
  /** PEM of the CA (the self-signed certificate itself). */
  caFile: string;
  dir: string;
  passwords: TestPasswords;
  /** Connector settings for this server; `overrides` replace any key. */
  settings(overrides?: Partial<DirectorySettings>): DirectorySettings;
  /** Stops slapd, keeping its data; `start()` brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops slapd and removes the temp dir. */
  cleanup(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

export async function startSlapd(): Promise<Slapd> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-slapd-'));
  mkdirSync(join(dir, 'data'));
  const tls = selfSignedCert(dir);
  const { ldif, passwords } = testLdif();
  writeFileSync(join(dir, 'slapd.conf'), slapdConf(dir, tls));
  writeFileSync(join(dir, 'test.ldif'), ldif);
  const add = spawnSync(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'test.ldif')], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
  const [port, tlsPort] = [await freePort(), await freePort()];
  let child: ChildProcess | undefined;

  const start = async () => {
    const urls = `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`;
    const proc = spawn(SLAPD, ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', urls], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    running.add(proc);
    child = proc;
    for (let i = 0; i < 100; i++) {
      if (proc.exitCode !== null) throw new Error(`slapd exited (${proc.exitCode}): ${stderr}`);
      if ((await canConnect(port)) && (await canConnect(tlsPort))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`slapd did not listen within 5 s: ${stderr}`);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    running.delete(proc);
  };

  await start();
  const url = `ldap://127.0.0.1:${port}`;
  return {
    url,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: tls.cert,
    dir,
    passwords,
    settings: (overrides = {}) => ({
      url,
      bindDN: `cn=gatehouse,ou=services,${SUFFIX}`,
      bindCredentials: passwords.service,
      searchBase: SUFFIX,
      searchFilter: '(uid={{username}})',
      groupSearchBase: `ou=groups,${SUFFIX}`,
      groupSearchFilter: '(member={{dn}})',
      timeoutMs: 3000,
      ...overrides,
    }),
    stop,
    start,
    cleanup: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
