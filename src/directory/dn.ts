/**
 * Distinguished names compared the way directories compare group DNs in practice.
 *
 * - attribute names and values are compared case-insensitively;
 * - spaces around `=`, `,` and `+` are insignificant;
 * - `\,`, `\2C` and `\2c` are the same character (escapes are decoded, then re-escaped one way);
 * - the AVAs of a multi-valued RDN (`cn=a+uid=b`) are compared in sorted order;
 * - a configured group is either a DN (it contains `=`), which matches exactly that DN, or a bare
 *   CN (`developers`), which matches a group whose first RDN is `cn=developers` *and* that lies
 *   under `groupSearchBase`: a same-named group elsewhere (another OU, reached through `memberOf`)
 *   never matches a bare CN (SECURITY, issue 12 item 10).
 */

interface Ava {
  type: string;
  value: string;
}

const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=']);

function escapeValue(value: string): string {
  let out = '';
  for (const c of value) out += SPECIAL.has(c) ? `\\${c}` : c === '\0' ? '\\00' : c;
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Splits a DN into RDNs of AVAs, decoding escapes; undefined when it is not a DN. */
function parseDn(dn: string): Ava[][] | undefined {
  const rdns: Ava[][] = [];
  let avas: Ava[] = [];
  let type = '';
  let value = '';
  let bytes: number[] = [];
  let inValue = false;
  let trailing = ''; // unescaped spaces seen in a value, kept only if more text follows
  const flushBytes = () => {
    if (bytes.length) value += Buffer.from(bytes).toString('utf8');
    bytes = [];
  };
  const endAva = (): boolean => {
    flushBytes();
    if (!inValue || type.trim() === '') return false;
    avas.push({ type: type.trim().toLowerCase(), value: value.toLowerCase() });
    type = value = trailing = '';
    inValue = false;
    return true;
  };
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i]!;
    if (!inValue) {
      if (c === '=') inValue = true;
      else if (c === ',' || c === '+' || c === '\\') return undefined;
      else type += c;
      continue;
    }
    if (c === '\\') {
      const hex = dn.slice(i + 1, i + 3);
      value += trailing;
      trailing = '';
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else if (i + 1 < dn.length) {
        flushBytes();
        value += dn[++i];
      } else return undefined;
      continue;
    }
    if (c === ',' || c === ';' || c === '+') {
      if (!endAva()) return undefined;
      if (c !== '+') {
        rdns.push(avas.sort((a, b) => (a.type + a.value < b.type + b.value ? -1 : 1)));
        avas = [];
      }
      continue;
    }
    flushBytes();
    if (c === ' ') {
      if (value !== '') trailing += c;
      continue;
    }
    value += trailing + c;
    trailing = '';
  }
  if (!endAva()) return rdns.length === 0 && dn.trim() === '' ? [] : undefined;
  rdns.push(avas.sort((a, b) => (a.type + a.value < b.type + b.value ? -1 : 1)));
  return rdns;
}

/**
 * The canonical form of a DN: lower case, no insignificant spaces, one escaping style. A string
 * that is not a DN is returned trimmed and lower-cased, so comparisons still work on it.
 */
export function normalizeDn(dn: string): string {
  const rdns = parseDn(dn);
  if (!rdns) return dn.trim().toLowerCase();
  return rdns.map((avas) => avas.map((a) => `${a.type}=${escapeValue(a.value)}`).join('+')).join(',');
}

/** The decoded, lower-cased value of the first RDN's `cn`, if it has one. */
export function firstCn(dn: string): string | undefined {
  return parseDn(dn)?.[0]?.find((a) => a.type === 'cn')?.value;
}

/** Whether `dn` lies strictly below `base` (both DNs; compared normalised, RDN by RDN). */
export function isUnder(dn: string, base: string): boolean {
  const entry = parseDn(dn);
  const root = parseDn(base);
  if (!entry || !root || entry.length <= root.length) return false;
  const key = (avas: Ava[]) => avas.map((a) => `${a.type}=${a.value}`).join('+');
  const offset = entry.length - root.length;
  return root.every((rdn, i) => key(rdn) === key(entry[offset + i]!));
}

/**
 * Whether `configuredGroup` is one of `userGroups` (group DNs): a DN matches exactly that DN; a
 * bare CN matches a group of that CN under `groupSearchBase` only (none when it is undefined).
 */
export function groupMatches(userGroups: readonly string[], configuredGroup: string, groupSearchBase: string | undefined): boolean {
  if (configuredGroup.includes('=')) {
    const wanted = normalizeDn(configuredGroup);
    return userGroups.some((g) => normalizeDn(g) === wanted);
  }
  const wanted = configuredGroup.trim().toLowerCase();
  if (wanted === '' || groupSearchBase === undefined) return false;
  return userGroups.some((g) => firstCn(g) === wanted && isUnder(g, groupSearchBase));
}
