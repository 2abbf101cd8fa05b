/**
 * LookupEvents over the trail, with CloudTrail's rules (its errors are in lookup-errors.ts):
 * - `LookupAttributes`: at most one; `AttributeKey` one of EventId, EventName, ReadOnly,
 *   Username, ResourceType, ResourceName, EventSource, AccessKeyId, plus the Gatehouse
 *   extensions `DirectoryId` (the person's entryUUID/objectGUID) and `DirectoryDn`;
 *   `AttributeValue` 1–2000 characters (InvalidLookupAttributesException).
 * - `StartTime` ≤ `EndTime` (InvalidTimeRangeException); both epoch seconds.
 * - `MaxResults` 1–50, default 50 (InvalidMaxResultsException).
 * - `NextToken` only as returned, for the same filter (InvalidNextTokenException).
 * - `EventCategory`: only `insight`, which has no events here (InvalidEventCategoryException).
 * Events are the caller's account's, newest first.
 */
import { createHash } from 'node:crypto';
import type { AuditColumn, AuditEventRow, Store } from '../store/index.js';
import { InvalidEventCategory, InvalidLookupAttributes, InvalidMaxResults, InvalidNextToken, InvalidTimeRange, SerializationException } from './lookup-errors.js';

export const LOOKUP_KEYS: Readonly<Record<string, AuditColumn>> = {
  EventId: 'event_id',
  EventName: 'event_name',
  ReadOnly: 'read_only',
  Username: 'username',
  ResourceType: 'resource_type',
  ResourceName: 'resource_name',
  EventSource: 'event_source',
  AccessKeyId: 'access_key_id',
  DirectoryId: 'directory_id',
  DirectoryDn: 'directory_dn',
};

export interface LookupEventsOutput {
  Events: Array<{
    EventId: string;
    EventName: string;
    ReadOnly: string;
    AccessKeyId?: string;
    EventTime: number;
    EventSource: string;
    Username?: string;
    Resources: Array<{ ResourceType: string; ResourceName: string }>;
    CloudTrailEvent: string;
  }>;
  NextToken?: string;
}

/** The request body, validated; `body` is the parsed JSON. */
function parseRequest(body: unknown) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SerializationException('Start of structure or map found where not expected.');
  const b = body as Record<string, unknown>;
  const attrs = b.LookupAttributes;
  let attribute: { column: AuditColumn; value: string } | undefined;
  if (attrs !== undefined && attrs !== null) {
    if (!Array.isArray(attrs)) throw new SerializationException('Unexpected value for LookupAttributes.');
    if (attrs.length > 1) throw new InvalidLookupAttributes('You cannot specify more than one lookup attribute.');
    const a = attrs[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
    if (a) {
      const column = typeof a.AttributeKey === 'string' && Object.hasOwn(LOOKUP_KEYS, a.AttributeKey) ? LOOKUP_KEYS[a.AttributeKey]! : undefined;
      if (!column) throw new InvalidLookupAttributes(`Invalid attribute key: ${String(a.AttributeKey)}. Valid keys: ${Object.keys(LOOKUP_KEYS).join(', ')}.`);
      if (typeof a.AttributeValue !== 'string' || a.AttributeValue.length < 1 || a.AttributeValue.length > 2000) {
        throw new InvalidLookupAttributes('The attribute value must be between 1 and 2000 characters.');
      }
      if (column === 'read_only' && a.AttributeValue !== 'true' && a.AttributeValue !== 'false') throw new InvalidLookupAttributes('ReadOnly must be true or false.');
      attribute = { column, value: a.AttributeValue };
    }
  }
  const time = (k: 'StartTime' | 'EndTime') => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SerializationException(`${k} must be a timestamp (epoch seconds).`);
    return Math.round(v * 1000);
  };
  const start = time('StartTime');
  const end = time('EndTime');
  if (start !== undefined && end !== undefined && start > end) throw new InvalidTimeRange('Start time must be before end time.');
  const max = b.MaxResults ?? 50;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50) throw new InvalidMaxResults('MaxResults must be between 1 and 50.');
  if (b.EventCategory !== undefined && b.EventCategory !== 'insight') throw new InvalidEventCategory('The event category is not valid. The only valid value is insight.');
  if (b.NextToken !== undefined && typeof b.NextToken !== 'string') throw new InvalidNextToken('Invalid next token.');
  return { attribute, start, end, max, nextToken: b.NextToken as string | undefined, insight: b.EventCategory === 'insight' };
}

function filterHash(f: { attribute?: { column: string; value: string } | undefined; start?: number | undefined; end?: number | undefined }): string {
  return createHash('sha256').update(JSON.stringify([f.attribute?.column, f.attribute?.value, f.start, f.end])).digest('base64url').slice(0, 16);
}

function readToken(token: string, filter: string): { eventTime: number; eventId: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown; f?: unknown };
    if (typeof t.t === 'number' && typeof t.i === 'string' && t.f === filter) return { eventTime: t.t, eventId: t.i };
  } catch {
    // falls through
  }
  throw new InvalidNextToken('Invalid next token.');
}

function toEvent(r: AuditEventRow): LookupEventsOutput['Events'][number] {
  return {
    EventId: r.eventId,
    EventName: r.eventName,
    ReadOnly: String(r.readOnly),
    ...(r.accessKeyId && { AccessKeyId: r.accessKeyId }),
    EventTime: r.eventTime / 1000,
    EventSource: r.eventSource,
    ...(r.username && { Username: r.username }),
    Resources: r.resourceType && r.resourceName ? [{ ResourceType: r.resourceType, ResourceName: r.resourceName }] : [],
    CloudTrailEvent: r.record,
  };
}

/** Runs one LookupEvents request for the caller's account. */
export async function lookupEvents(store: Store, accountId: string, body: unknown): Promise<LookupEventsOutput> {
  const req = parseRequest(body);
  if (req.insight) return { Events: [] };
  const filter = filterHash(req);
  const rows = await store.auditEvents.lookup({
    accountId,
    ...(req.attribute && { attribute: req.attribute }),
    ...(req.start !== undefined && { start: req.start }),
    ...(req.end !== undefined && { end: req.end }),
    ...(req.nextToken !== undefined && { after: readToken(req.nextToken, filter) }),
    limit: req.max + 1,
  });
  const page = rows.slice(0, req.max);
  const last = page.at(-1);
  const more = rows.length > req.max && last;
  return {
    Events: page.map(toEvent),
    ...(more && { NextToken: Buffer.from(JSON.stringify({ t: last.eventTime, i: last.eventId, f: filter })).toString('base64url') }),
  };
}
