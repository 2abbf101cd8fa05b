/**
 * What every console page shares: rendering with the header's locals, reading form
 * fields, running an action as a value, and the post/redirect/get of mutations.
 * - A refusal (any 4xx ServiceError: AccessDenied, ValidationError, NoSuchEntity, …) is
 *   shown on the page with its code and AWS's message; anything else is a fault and goes
 *   to the error handler, which answers generically (never a stack).
 * - Every mutation answers 303 to a URL built here from validated names, never from input.
 */
import type { Request, Response } from 'express';
import { ServiceError } from '../shared/errors.js';
import type { Output } from '../iam/actions/types.js';
import { headerLocals } from './home.js';
import { invokeNamed, opOf } from './invoke.js';

/** A refusal, ready to show. */
export interface Refusal {
  code: string;
  status: number;
  message: string;
}

export type Outcome<T = Record<string, any>> = { ok: true; value: T } | ({ ok: false } & Refusal);

const EXPLAIN: Record<string, string> = {
  DeleteConflict: 'It is still in use: remove what it holds or what it is attached to first.',
  AccessDenied: 'Your session’s policies do not allow this.',
};

/** The refusal an error stands for; rethrows faults (5xx and non-service errors). */
export function refusalOf(err: unknown): Refusal {
  if (err instanceof ServiceError && err.expose) return { code: err.code, status: err.status, message: err.message };
  throw err;
}

export function describe(r: Refusal): string {
  const extra = EXPLAIN[r.code];
  return `${r.code}: ${asSentence(r.message)}${extra ? ` ${extra}` : ''}`;
}

/**
 * A message as a sentence, ending with a full stop: AWS words some messages without one
 * (AccessDenied's "… because no identity-based policy allows the iam:ListUsers action"), and
 * a banner that puts another sentence after it needs the stop between them.
 */
export function asSentence(message: string): string {
  const m = message.trimEnd();
  return m === '' || /[.!?…]["'”’)]*$/.test(m) ? m : `${m}.`;
}

/** Runs an IAM action as the console session; a refusal is a value. */
export async function attempt(res: Response, action: string, params: Record<string, unknown> = {}): Promise<Outcome> {
  try {
    return { ok: true, value: ((await invokeNamed(opOf(res), action, params)) ?? {}) as Record<string, any> };
  } catch (err) {
    return { ok: false, ...refusalOf(err) };
  }
}

/** A single-valued form or query field ('' when absent or repeated). */
export function field(source: unknown, name: string): string {
  const v = (source as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

export const form = (req: Request, name: string) => field(req.body, name).trim();
/** Policy documents are kept exactly as typed. */
export const rawForm = (req: Request, name: string) => field(req.body, name);

export async function render(req: Request, res: Response, view: string, locals: Record<string, unknown>, status = 200): Promise<void> {
  res.status(status).render(`console/${view}`, { ...(await headerLocals(req, res)), ...locals });
}

/** The page shown when the thing a page is about cannot be read (refused or missing). */
export async function refusedPage(req: Request, res: Response, title: string, r: Refusal): Promise<void> {
  await render(req, res, 'refused', { title, refusal: r, text: describe(r) }, r.status);
}

/**
 * A mutation: runs `fn`, flashes `done` or the refusal, and answers 303 to `back`.
 * `fn` returns the output, or a string to flash instead of `done`.
 */
export async function act(req: Request, res: Response, back: string, done: string, fn: () => Promise<Output | string | void>): Promise<void> {
  try {
    const r = await fn();
    req.session.flash = { kind: 'notice', text: typeof r === 'string' ? r : done };
  } catch (err) {
    req.session.flash = { kind: 'error', text: describe(refusalOf(err)) };
  }
  res.redirect(303, back);
}

/** Decodes a document IAM returned URL-encoded, pretty-printed when it is JSON. */
export function showDocument(encoded: unknown): string {
  if (typeof encoded !== 'string') return '';
  const text = decodeURIComponent(encoded);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export const seg = encodeURIComponent;
export const PAGE_SIZE = 20;
