/**
 * Event history: the audit trail of the session's account, as CloudTrail's console shows it.
 * - Authorised like LookupEvents: `cloudtrail:LookupEvents` on `*` for the session's caller
 *   (a refusal is shown as AWS's AccessDenied).
 * - Filters (all optional, combined): user name, event name, event source, the person's
 *   directory id, and a time window (UTC); 25 events a page, newest first, with a link to the
 *   next page. Each event's CloudTrail record is shown as JSON.
 * - User and role pages link here (`?user=NAME`, `?resource=NAME`).
 */
import { Router, type Request, type Response } from 'express';
import { authorize } from '../iam/authorize.js';
import type { AuditColumn, AuditEventRow } from '../store/index.js';
import { opOf } from './invoke.js';
import { field, refusalOf, render, type Refusal } from './page.js';

const PAGE = 25;

const FILTERS: ReadonlyArray<{ query: string; column: AuditColumn }> = [
  { query: 'user', column: 'username' },
  { query: 'name', column: 'event_name' },
  { query: 'source', column: 'event_source' },
  { query: 'resource', column: 'resource_name' },
  { query: 'dir', column: 'directory_id' },
];

/** `YYYY-MM-DDTHH:MM` (datetime-local, UTC) or ISO 8601 → epoch ms; '' → undefined. */
function time(value: string): number | undefined {
  if (value === '') return undefined;
  const ms = Date.parse(/Z|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

function after(value: string): { eventTime: number; eventId: string } | undefined {
  const m = /^(\d{1,16})\.([\w-]{1,64})$/.exec(value);
  return m ? { eventTime: Number(m[1]), eventId: m[2]! } : undefined;
}

async function history(req: Request, res: Response): Promise<void> {
  const op = opOf(res);
  const values = Object.fromEntries(['user', 'name', 'source', 'resource', 'dir', 'from', 'to', 'after'].map((k) => [k, field(req.query, k).slice(0, 256)]));
  let refusal: Refusal | undefined;
  let events: Array<{ row: AuditEventRow; json: string }> = [];
  let next: string | undefined;
  try {
    await authorize(op, 'cloudtrail:LookupEvents', '*');
    const also = FILTERS.filter((f) => values[f.query] !== '').map((f) => ({ column: f.column, value: values[f.query]! }));
    const start = time(values.from!);
    const end = time(values.to!);
    const page = after(values.after!);
    const rows = await op.deps.store.auditEvents.lookup({
      accountId: op.caller.accountId,
      also,
      ...(start !== undefined && { start }),
      ...(end !== undefined && { end }),
      ...(page && { after: page }),
      limit: PAGE + 1,
    });
    events = rows.slice(0, PAGE).map((row) => ({ row, json: JSON.stringify(JSON.parse(row.record), null, 2) }));
    const last = rows.length > PAGE ? rows[PAGE - 1] : undefined;
    if (last) {
      const q = new URLSearchParams(Object.entries(values).filter(([k, v]) => k !== 'after' && v !== ''));
      q.set('after', `${last.eventTime}.${last.eventId}`);
      next = `/console/events?${q.toString()}`;
    }
  } catch (err) {
    refusal = refusalOf(err);
  }
  await render(req, res, 'events', { title: 'Event history', values, events, next, refusal }, refusal ? refusal.status : 200);
}

export function eventRoutes(): Router {
  const router = Router();
  router.get('/events', history);
  return router;
}
