/**
 * When the broker cannot issue credentials, the portal says why, on the page people are
 * looking at, instead of a generic "internal error" (and not only in the server log):
 * - `missing`: the broker user (`federation.broker`) was deleted;
 * - `no-policy`: it holds no policy, so every set it would issue is empty;
 * - `denied`: its policies deny the set's sts:GetFederationToken / sts:AssumeRole.
 * The answer is a 503 page (views/portal/broker-unavailable.ejs): nothing was issued, it is
 * not the person's fault, and what an administrator can do. Any other failure (the store or
 * STS failing) is rethrown to the generic error handler unchanged. JSON answers (the CLI
 * helper prints their message) get the same explanation in one sentence (`brokerTroubleMessage`).
 */
import type { Request, Response } from 'express';
import { ServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { noteFailureLogged } from '../web/failure-log.js';
import type { Broker } from './broker.js';
import type { PermissionSet } from './permission-sets.js';

export type BrokerProblem = 'missing' | 'no-policy' | 'denied';

/** Runs a mint; when it fails because of the broker, renders the explanation and returns undefined. */
export async function mintOrExplain<T>(deps: { broker: Broker; logger: Logger }, req: Request, res: Response, set: PermissionSet, mint: () => Promise<T>): Promise<T | undefined> {
  try {
    return await mint();
  } catch (err) {
    const problem = await brokerProblem(deps.broker, err);
    if (!problem) throw err;
    const requestId = String(res.locals.requestId ?? '');
    deps.logger.warn({ event: 'portal.broker', problem, broker: deps.broker.name, permissionSet: set.name, path: req.path, requestId }, 'the broker cannot issue credentials');
    noteFailureLogged(res);
    res.status(503).render('portal/broker-unavailable', { problem, broker: deps.broker.name, set: set.name, requestId });
    return undefined;
  }
}

/** For JSON answers: the broker's problem in words, or undefined when the failure is something else. */
export async function brokerTroubleMessage(broker: Broker, err: unknown, set: string): Promise<string | undefined> {
  const problem = await brokerProblem(broker, err);
  if (!problem) return undefined;
  const what = problem === 'missing' ? 'does not exist' : problem === 'no-policy' ? 'has no policy left, so it can issue nothing' : `is not allowed to issue ${set}`;
  return `Gatehouse cannot issue credentials right now: the portal's broker user ${broker.name} (federation.broker) ${what}. Nothing was issued; tell your Gatehouse administrator.`;
}

async function brokerProblem(broker: Broker, err: unknown): Promise<BrokerProblem | undefined> {
  let status: Awaited<ReturnType<Broker['status']>>;
  try {
    status = await broker.status();
  } catch {
    return undefined; // the store itself fails: the original error says more
  }
  if (status !== 'ok') return status;
  return err instanceof ServiceError && err.code === 'AccessDenied' ? 'denied' : undefined;
}
