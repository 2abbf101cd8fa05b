/**
 * Running an IAM or STS action from the console: the same decoding, validation,
 * authorisation and handler as the query API, with the console session's caller.
 * Parameters use the query protocol's flat names (`Tags.member.1.Key`, …).
 */
import type { Response } from 'express';
import { execute, type ServiceTables } from '../http/query/dispatch.js';
import type { Operation, Output } from '../iam/actions/types.js';

let tables: ServiceTables | undefined;

/** Set once by the composition root. */
export function setConsoleTables(t: ServiceTables): void {
  tables = t;
}

export async function invoke(op: Operation, action: string, params: Record<string, string | undefined> = {}, service: 'iam' | 'sts' = 'iam'): Promise<Output> {
  if (!tables) throw new Error('console: action tables not set');
  const map = new Map<string, string>([['Action', action]]);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') map.set(k, v);
  return (await execute(tables, service, map, op)).output;
}

export function opOf(res: Response): Operation {
  return res.locals.op as Operation;
}
