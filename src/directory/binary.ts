/**
 * Active Directory's binary attributes as text, decoded on each search entry as it arrives
 * (ldapjs would otherwise hand them on as mangled UTF-8 strings):
 * - `objectGUID` (16 bytes) as the GUID string AD tools show, `{…}` without braces, lower case:
 *   the first three fields little-endian (`b3b2b1b0-b5b4-b7b6-b8b9-b10…b15`);
 * - `objectSid` and `tokenGroups` (SIDs) as `S-1-5-21-…`: revision, 48-bit big-endian
 *   authority, then 32-bit little-endian sub-authorities.
 * Values already decoded (or not binary) are left as they are.
 */

const hex = (bytes: Buffer) => bytes.toString('hex');

/** `objectGUID` bytes as a GUID string; undefined unless exactly 16 bytes. */
export function formatGuid(bytes: Buffer): string | undefined {
  if (bytes.length !== 16) return undefined;
  const le = (from: number, to: number) => hex(Buffer.from(bytes.subarray(from, to)).reverse());
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(bytes.subarray(8, 10))}-${hex(bytes.subarray(10, 16))}`;
}

/** A binary SID as `S-1-5-…`; undefined when it is not a well-formed SID. */
export function formatSid(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const count = bytes[1]!;
  if (bytes.length !== 8 + 4 * count) return undefined;
  const authority = bytes.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(bytes.readUInt32LE(8 + 4 * i));
  return `S-${bytes[0]}-${authority}${subs.map((s) => `-${s}`).join('')}`;
}

const DECODERS: Record<string, (b: Buffer) => string | undefined> = {
  objectguid: formatGuid,
  objectsid: formatSid,
  tokengroups: formatSid,
};

/** An ldapjs attribute: its type and raw values. */
interface RawAttribute {
  type: string;
  buffers: Buffer[];
}

/**
 * Rewrites the binary attributes of an ldapjs SearchResultEntry as text. The entry's attribute
 * list is replaced (an ldapjs Attribute's `values` setter adds values rather than replacing
 * them); an attribute-like `{ type, values }` is what the entry's setter accepts.
 */
export function decodeBinaryAttributes(entry: unknown): void {
  const e = entry as { attributes?: RawAttribute[] };
  const attributes = e.attributes;
  if (!Array.isArray(attributes)) return;
  let changed = false;
  const next = attributes.map((attribute) => {
    const decode = DECODERS[attribute.type.toLowerCase()];
    if (!decode) return attribute;
    const decoded = attribute.buffers.map((b) => decode(b));
    if (!decoded.every((v): v is string => v !== undefined)) return attribute;
    changed = true;
    return { type: attribute.type, values: decoded };
  });
  if (changed) (e as { attributes: unknown }).attributes = next;
}

/** A SID string as an LDAP filter value for objectSid: its binary form, every byte escaped. */
export function sidFilterValue(sid: string): string | undefined {
  const m = /^S-(\d+)-(\d+)((?:-\d+)*)$/.exec(sid);
  if (!m) return undefined;
  const subs = m[3] ? m[3].slice(1).split('-').map(Number) : [];
  if (subs.length > 15 || subs.some((s) => s > 0xffffffff)) return undefined;
  const bytes = Buffer.alloc(8 + 4 * subs.length);
  bytes[0] = Number(m[1]);
  bytes[1] = subs.length;
  bytes.writeUIntBE(Number(m[2]), 2, 6);
  subs.forEach((s, i) => bytes.writeUInt32LE(s, 8 + 4 * i));
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}
