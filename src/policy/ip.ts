/**
 * IPv4 and IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress.
 *
 * Every address is held as eight 16-bit words; an IPv4 address is stored in its
 * IPv4-mapped IPv6 form (::ffff:a.b.c.d) and an IPv4 prefix /n becomes /96+n, so
 * one comparison serves both families. Textual IPv6 is thereby canonicalised
 * (case, zero compression, leading zeros), and an IPv4-mapped request address
 * matches IPv4 blocks.
 */

export interface IpBlock {
  words: Uint16Array;
  prefix: number;
  /** Canonical text, for explanations. */
  text: string;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses an address (no prefix). */
export function parseIpAddress(text: string): Uint16Array | undefined {
  const v4 = parseV4(text);
  if (v4) return v4;
  return parseV6(text);
}

/** Parses `addr/len` or a bare address (/32 for IPv4, /128 for IPv6). Host bits are masked off. */
export function parseCidr(text: string): IpBlock | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const isV4 = V4.test(addrText);
  const words = parseIpAddress(addrText);
  if (!words) return undefined;
  const max = isV4 ? 32 : 128;
  let len = max;
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText)) return undefined;
    len = Number(lenText);
    if (len > max) return undefined;
  }
  const prefix = isV4 ? 96 + len : len;
  mask(words, prefix);
  return { words, prefix, text: `${isV4 ? addrText : formatV6(words)}/${len}` };
}

/** Whether `addr` lies in `block`. */
export function inBlock(addr: Uint16Array, block: IpBlock): boolean {
  let bits = block.prefix;
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const m = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((addr[i]! & m) !== block.words[i]) return false;
  }
  return true;
}

function mask(words: Uint16Array, prefix: number): void {
  let bits = prefix;
  for (let i = 0; i < 8; i++, bits -= 16) {
    if (bits >= 16) continue;
    words[i] = bits <= 0 ? 0 : words[i]! & ((0xffff << (16 - bits)) & 0xffff);
  }
}

function parseV4(text: string): Uint16Array | undefined {
  const m = V4.exec(text);
  if (!m) return undefined;
  const w = new Uint16Array(8);
  w[5] = 0xffff;
  w[6] = (Number(m[1]) << 8) | Number(m[2]);
  w[7] = (Number(m[3]) << 8) | Number(m[4]);
  return w;
}

function parseV6(text: string): Uint16Array | undefined {
  if (text.length > 45 || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  // A dotted IPv4 part may only form the low-order 32 bits: the end of the address.
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const w = new Uint16Array(8);
  head.forEach((g, i) => (w[i] = g));
  tail.forEach((g, i) => (w[8 - tail.length + i] = g));
  return w;
}

/** Hex groups of one side of `::`; a trailing dotted IPv4 (where allowed) counts as two groups. */
function groups(part: string, dottedAllowed: boolean): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  const items = part.split(':');
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (dottedAllowed && i === items.length - 1 && item.includes('.')) {
      const v4 = parseV4(item);
      if (!v4) return undefined;
      out.push(v4[6]!, v4[7]!);
    } else if (HEX_GROUP.test(item)) {
      out.push(parseInt(item, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** RFC 5952 text of an IPv6 address. */
export function formatV6(w: Uint16Array): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = Array.from(w, (x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
