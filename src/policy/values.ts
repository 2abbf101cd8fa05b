/**
 * Parsers for typed condition values (policy values and request values alike).
 * Each returns undefined for text that is not of its type.
 */

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^-?\d{1,15}$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The range of instants a JavaScript Date can hold. */
const MAX_MS = 8.64e15;

/** An ISO-8601 date/time or epoch seconds, as milliseconds since the epoch. */
export function parseDate(text: string): number | undefined {
  const ms = parseDateUnchecked(text);
  return ms !== undefined && Math.abs(ms) <= MAX_MS ? ms : undefined;
}

function parseDateUnchecked(text: string): number | undefined {
  if (EPOCH.test(text)) return Number(text) * 1000;
  const m = ISO_DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined;
  date.setUTCHours(hour, minute, second, Number((frac + '000').slice(0, 3)));
  const offset = zoneOffsetMs(zone!);
  return offset === undefined ? undefined : date.getTime() - offset;
}

/** The offset of `Z`, `±HH`, `±HHMM` or `±HH:MM` in ms; undefined when out of range. */
function zoneOffsetMs(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** A decimal number (integer, fraction or exponent form). */
export function parseNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/** `true` / `false`, case-insensitive. */
export function parseBool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

/** Canonical base64 of a base64 value, so equal bytes compare equal. */
export function canonicalBase64(text: string): string | undefined {
  if (!BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('base64');
}
