/**
 * A throwaway OpenLDAP slapd for the portal benchmark, with a generated population (the test
 * harness, test/support/slapd.ts, loads a fixed handful of test users):
 * - `users` people, `uid=user0000,ou=people,dc=example,dc=com` …, each with its own random
 *   password ({SSHA}), cn, sn, displayName and mail;
 * - four groupOfNames under ou=groups: staff (everyone), engineering (every 3rd user), sales
 *   (every 3rd user, offset 1) and admins (every 10th user);
 * - the service account `cn=gatehouse,ou=services,…`, the only DN allowed to read;
 * - mdb with equality indexes on objectClass, uid and member, the dynlist overlay computing
 *   memberOf at read time (slapadd does not run the memberof overlay), and an ACL that lets
 *   anonymous only *auth* against userPassword.
 * Loaded offline with slapadd, then `slapd -d 0` in the foreground on a free loopback port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, SLAPD } from '../test/support/slapd.js';

export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const SERVICE_DN = `cn=gatehouse,ou=services,${SUFFIX}`;

export interface BenchUser {
  uid: string;
  dn: string;
  password: string;
  groups: string[];
}

export interface BenchSlapd {
  url: string;
  pid: number;
  servicePassword: string;
  users: BenchUser[];
  groupNames: string[];
  /** Stops slapd and removes its temp dir. */
  cleanup(): Promise<void>;
}

const SLAPADD = '/usr/sbin/slapadd';

function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
}

function groupsOf(i: number): string[] {
  const g = ['staff'];
  if (i % 3 === 0) g.push('engineering');
  if (i % 3 === 1) g.push('sales');
  if (i % 10 === 0) g.push('admins');
  return g;
}

function population(count: number, servicePassword: string): { ldif: string; users: BenchUser[]; groupNames: string[] } {
  const users: BenchUser[] = [];
  const parts: string[] = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Gatehouse bench`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ou=services,${SUFFIX}\nobjectClass: organizationalUnit\nou: services`,
    `dn: ${SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: gatehouse\nuserPassword: ${ssha(servicePassword)}`,
  ];
  for (let i = 0; i < count; i++) {
    const uid = `user${String(i).padStart(4, '0')}`;
    const dn = `uid=${uid},${PEOPLE}`;
    const password = randomBytes(12).toString('base64url');
    users.push({ uid, dn, password, groups: groupsOf(i) });
    parts.push(
      `dn: ${dn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: User ${i}\nsn: ${i}\ndisplayName: Bench User ${i}\nmail: ${uid}@example.com\nuserPassword: ${ssha(password)}`,
    );
  }
  const groupNames = ['staff', 'engineering', 'sales', 'admins'];
  for (const name of groupNames) {
    const members = users.filter((u) => u.groups.includes(name)).map((u) => `member: ${u.dn}`);
    parts.push(`dn: cn=${name},${GROUPS}\nobjectClass: groupOfNames\ncn: ${name}\n${members.join('\n')}`);
  }
  return { ldif: parts.join('\n\n') + '\n', users, groupNames };
}

function conf(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/dyngroup.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload dynlist
pidfile ${dir}/slapd.pid
argsfile ${dir}/slapd.args
database mdb
suffix "${SUFFIX}"
directory ${dir}/data
maxsize 67108864
index objectClass eq
index uid eq
index member eq
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by * none
`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

export async function startBenchSlapd(count: number): Promise<BenchSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-slapd-'));
  try {
    mkdirSync(join(dir, 'data'));
    const servicePassword = randomBytes(12).toString('base64url');
    const { ldif, users, groupNames } = population(count, servicePassword);
    writeFileSync(join(dir, 'slapd.conf'), conf(dir));
    writeFileSync(join(dir, 'bench.ldif'), ldif);
    const add = spawnSync(SLAPADD, ['-q', '-f', join(dir, 'slapd.conf'), '-l', join(dir, 'bench.ldif')], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
    const port = await freePort();
    const proc = spawn(SLAPD, ['-d', '0', '-f', join(dir, 'slapd.conf'), '-h', `ldap://127.0.0.1:${port}/`], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(proc);
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const cleanup = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(proc);
      rmSync(dir, { recursive: true, force: true });
    };
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`slapd exited (${proc.exitCode}): ${stderr}`);
      if (await canConnect(port)) break;
      if (i >= 100) {
        await cleanup();
        throw new Error(`slapd did not listen within 5 s: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return { url: `ldap://127.0.0.1:${port}`, pid: proc.pid!, servicePassword, users, groupNames, cleanup };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
