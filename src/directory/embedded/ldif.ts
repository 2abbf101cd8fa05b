/**
 * A small LDIF reader (RFC 2849 content records) for the demo directory's seed file.
 *
 * - records are separated by blank lines; `#` lines are comments;
 * - a line starting with one space continues the previous line;
 * - `attr: value` is text, `attr:: base64` is base64; `attr:< url` is refused;
 * - every record starts with `dn:`; `changetype` records are refused.
 */

export interface LdifRecord {
  dn: string;
  /** Attribute name as written → values, in file order. */
  attributes: Map<string, string[]>;
}

function unfold(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (raw.startsWith(' ') && lines.length > 0 && lines[lines.length - 1] !== '') {
      lines[lines.length - 1] += raw.slice(1);
    } else {
      lines.push(raw);
    }
  }
  return lines;
}

function parseLine(line: string, lineNo: number): [string, string] {
  const m = /^([A-Za-z][\w;-]*|[\d.]+)(:<|::?)\s?(.*)$/.exec(line);
  if (!m) throw new Error(`LDIF line ${lineNo}: expected "attribute: value"`);
  const [, name, sep, value] = m as unknown as [string, string, string, string];
  if (sep === ':<') throw new Error(`LDIF line ${lineNo}: URL values are not supported`);
  return [name, sep === '::' ? Buffer.from(value, 'base64').toString('utf8') : value.trimEnd()];
}

/** Parses LDIF text into records; throws naming the line on malformed input. */
export function parseLdif(text: string): LdifRecord[] {
  const records: LdifRecord[] = [];
  let current: LdifRecord | undefined;
  unfold(text).forEach((line, i) => {
    const lineNo = i + 1;
    if (line.startsWith('#')) return;
    if (line.trim() === '') {
      current = undefined;
      return;
    }
    const [name, value] = parseLine(line, lineNo);
    if (!current) {
      if (name.toLowerCase() === 'version') return;
      if (name.toLowerCase() !== 'dn') throw new Error(`LDIF line ${lineNo}: a record must start with "dn:"`);
      current = { dn: value, attributes: new Map() };
      records.push(current);
      return;
    }
    if (name.toLowerCase() === 'changetype') throw new Error(`LDIF line ${lineNo}: change records are not supported`);
    const values = current.attributes.get(name) ?? [];
    values.push(value);
    current.attributes.set(name, values);
  });
  return records;
}
