/**
 * The demo directory's passwords: generated at first start, kept in `<dataDir>/demo-logins.txt`.
 *
 * - one random password per demo person, 12 characters from an alphabet without look-alikes,
 *   grouped by dashes (`k7qm-x3tp-9fhw`, about 59 bits), so a newcomer can read and type it;
 * - the file is plain text on purpose (the newcomer reads it), written with mode 0600 and
 *   re-chmodded to 0600 when found looser; the passwords are demo-only;
 * - existing passwords are kept; people added to the LDIF get new ones; delete the file to
 *   start over.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOGINS_FILE = 'demo-logins.txt';
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A uniform integer in [0, max): `crypto.randomInt` unless a test injects another. */
export type RandomInt = (max: number) => number;

export function readablePassword(randomInt: RandomInt): string {
  const groups: string[] = [];
  for (let g = 0; g < 3; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** username → password, from the file's non-comment lines (`username password [groups…]`). */
function readLogins(path: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(path)) return out;
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [username, password] = line.trim().split(/\s+/);
    if (username && password) out.set(username, password);
  }
  return out;
}

export interface DemoLogin {
  username: string;
  password: string;
  /** Normalised DNs of the user's groups, nested ones included. */
  groups: string[];
}

function render(logins: DemoLogin[]): string {
  const width = Math.max(8, ...logins.map((l) => l.username.length));
  const rows = logins.map((l) => {
    const groups = l.groups.map((g) => /^cn=([^,]+)/.exec(g)?.[1] ?? g).join(', ');
    return `${l.username.padEnd(width)}  ${l.password}  ${groups}`;
  });
  return [
    '# Gatehouse demo directory logins (config/demo-directory.ldif). DEMO ONLY: never real users.',
    '# Delete this file and restart to get new passwords.',
    '# Columns: username, password, groups (nested groups included).',
    ...rows,
    '',
  ].join('\n');
}

/**
 * The password of each of `people` (in order), reusing those in the file. Returns whether any
 * password was generated now (then the file was rewritten).
 */
export function loadOrCreateLogins(
  dataDir: string,
  people: Array<{ username: string; groups: string[] }>,
  randomInt: RandomInt,
): { logins: DemoLogin[]; generated: boolean; file: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, LOGINS_FILE);
  const known = readLogins(file);
  let generated = false;
  const logins = people.map(({ username, groups }) => {
    let password = known.get(username);
    if (!password) {
      password = readablePassword(randomInt);
      generated = true;
    }
    return { username, password, groups };
  });
  if (generated) {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, render(logins), { mode: 0o600 });
    renameSync(tmp, file);
  }
  return { logins, generated, file };
}
