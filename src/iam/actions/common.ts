/**
 * Helpers shared by the IAM action handlers: pagination, entity lookups with AWS's
 * NoSuchEntity messages (from iam/lookup.ts), creation clashes, quotas and policy documents.
 * Inputs are typed per operation (IamActionTable); there are no untyped readers.
 */
import { DeleteConflict, EntityAlreadyExists, LimitExceeded, MalformedPolicyDocument } from '../../shared/errors.js';
import { parsePolicy, type PolicyKind } from '../../policy/index.js';
import { UniqueViolation, type Page, type PageRequest } from '../../store/types.js';
import type { Operation } from './types.js';


/** The paging members of a List* call's input. */
export interface PagingInput {
  MaxItems?: number | undefined;
  Marker?: string | undefined;
  PathPrefix?: string | undefined;
}

/** `MaxItems` (default 100) and `Marker` of a List* call, with `PathPrefix` when the action has one. */
export function pageRequest(input: PagingInput): PageRequest {
  const req: PageRequest = { limit: input.MaxItems ?? 100, pathPrefix: input.PathPrefix ?? '/' };
  const marker = input.Marker;
  if (marker !== undefined) req.after = decodeMarker(marker);
  return req;
}

/** The list member plus `IsTruncated` and `Marker`, as every IAM List* response carries them. */
export function pageOutput<T, U>(page: Page<T>, key: string, map: (item: T) => U): Record<string, unknown> {
  const out: Record<string, unknown> = { [key]: page.items.map(map), IsTruncated: page.marker !== undefined };
  if (page.marker !== undefined) out.Marker = encodeMarker(page.marker);
  return out;
}

/** Markers are opaque to clients. */
function encodeMarker(m: string): string {
  return Buffer.from(m, 'utf8').toString('base64url');
}
function decodeMarker(m: string): string {
  return Buffer.from(m, 'base64url').toString('utf8');
}

/** The entity lookups live in iam/lookup.ts (STS shares them). */
export { findGroup, findRole, findUser } from '../lookup.js';

/** Runs a create, turning a uniqueness clash into EntityAlreadyExists. */
export async function creating<T>(message: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UniqueViolation) throw new EntityAlreadyExists(message, { cause: err });
    throw err;
  }
}

/** Validates a policy document for its use; throws MalformedPolicyDocument. */
export function checkPolicyDocument(text: string, kind: PolicyKind): void {
  parsePolicy(text, { kind });
}

/** Throws LimitExceeded when `size` exceeds `limit`. */
export function checkQuota(name: string, value: number, limit: number): void {
  if (value > limit) throw new LimitExceeded(`Cannot exceed quota for ${name}: ${limit}`);
}

export function conflict(what: string): never {
  throw new DeleteConflict(`Cannot delete entity, must ${what} first.`);
}

/** IAM returns policy documents URL-encoded (RFC 3986), as AWS does. */
export function encodeDocument(doc: string): string {
  return encodeURIComponent(doc);
}

export { MalformedPolicyDocument };
