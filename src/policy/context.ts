/**
 * The request context: the keys and values a policy's conditions and variables
 * are evaluated against.
 *
 * - Keys are case-insensitive (stored lower-cased).
 * - A single-valued key holds a string; a multivalued key an array (which may be empty).
 * - `aws:CurrentTime` / `aws:EpochTime` are filled from `now` when not given.
 * - `gatehouse:MinuteOfDay` (0–1439) and `gatehouse:DayOfWeek` (1–7, Monday = 1) are
 *   derived from `aws:CurrentTime` in the configured time zone, on first use.
 * Parsed forms of request values (numbers, dates, addresses) are memoised per
 * context, so a request evaluated against many policies parses each value once.
 */
import type { ContextValue } from './types.js';
import { parseDate } from './values.js';

export interface ContextOptions {
  /** Milliseconds since the epoch; fills aws:CurrentTime and aws:EpochTime when absent. */
  now?: number;
  /** IANA time zone for the gatehouse: time-of-day keys (default UTC). */
  timeZone?: string;
}

const MINUTE_OF_DAY = 'gatehouse:minuteofday';
const DAY_OF_WEEK = 'gatehouse:dayofweek';
const CURRENT_TIME = 'aws:currenttime';
const EPOCH_TIME = 'aws:epochtime';

export class RequestContext {
  private readonly values = new Map<string, ContextValue>();
  private readonly memos = new Map<(s: string) => unknown, Map<string, unknown>>();
  private timeDerived = false;

  constructor(
    values: Readonly<Record<string, ContextValue>>,
    private readonly timeZone = 'UTC',
    /** The clock reading that fills aws:CurrentTime / aws:EpochTime when they are absent. */
    private readonly now: number | undefined = undefined,
  ) {
    for (const key in values) this.values.set(key.toLowerCase(), values[key]!);
  }

  /** The value of a key (lower-cased name), or undefined when absent. */
  get(key: string): ContextValue | undefined {
    const v = this.values.get(key);
    if (v !== undefined || this.timeDerived) return v;
    if (key === MINUTE_OF_DAY || key === DAY_OF_WEEK || key === CURRENT_TIME || key === EPOCH_TIME) {
      this.deriveTime();
      return this.values.get(key);
    }
    return undefined;
  }

  /** The value of a single-valued key, or undefined when absent or multivalued (used for variables). */
  single(key: string): string | undefined {
    const v = this.get(key);
    return typeof v === 'string' ? v : undefined;
  }

  /** `parse(value)`, computed once per distinct value for this context. */
  memo<T>(value: string, parse: (s: string) => T): T {
    let m = this.memos.get(parse);
    if (!m) this.memos.set(parse, (m = new Map()));
    if (m.has(value)) return m.get(value) as T;
    const parsed = parse(value);
    m.set(value, parsed);
    return parsed;
  }

  /** All keys and values (keys lower-cased), for display. */
  entries(): IterableIterator<[string, ContextValue]> {
    this.deriveTime();
    return this.values.entries();
  }

  set(key: string, value: ContextValue): void {
    this.values.set(key.toLowerCase(), value);
  }

  /** Fills the time keys that are absent: aws:CurrentTime and aws:EpochTime from `now`, then the time of day. */
  private deriveTime(): void {
    this.timeDerived = true;
    if (this.now !== undefined) {
      if (!this.values.has(CURRENT_TIME)) this.values.set(CURRENT_TIME, new Date(this.now).toISOString().replace(/\.\d{3}Z$/, 'Z'));
      if (!this.values.has(EPOCH_TIME)) this.values.set(EPOCH_TIME, String(Math.floor(this.now / 1000)));
    }
    const t = this.values.get(CURRENT_TIME);
    if (typeof t !== 'string') return;
    const ms = parseDate(t);
    if (ms === undefined) return;
    const { minuteOfDay, dayOfWeek } = timeOfDay(ms, this.timeZone);
    if (!this.values.has(MINUTE_OF_DAY)) this.values.set(MINUTE_OF_DAY, String(minuteOfDay));
    if (!this.values.has(DAY_OF_WEEK)) this.values.set(DAY_OF_WEEK, String(dayOfWeek));
  }
}

export function createContext(values: Readonly<Record<string, ContextValue>> = {}, options: ContextOptions = {}): RequestContext {
  return new RequestContext(values, options.timeZone, options.now);
}

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether `zone` is a time zone this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minute of the day (0–1439) and ISO day of the week (1–7, Monday = 1) of an instant in a zone. */
export function timeOfDay(ms: number, zone: string): { minuteOfDay: number; dayOfWeek: number } {
  let hour = 0;
  let minute = 0;
  let day = 1;
  for (const part of formatFor(zone).formatToParts(ms)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'weekday') day = WEEKDAYS[part.value] ?? 1;
  }
  return { minuteOfDay: (hour % 24) * 60 + minute, dayOfWeek: day };
}

function formatFor(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', hour: '2-digit', minute: '2-digit' });
    formats.set(zone, f);
  }
  return f;
}
