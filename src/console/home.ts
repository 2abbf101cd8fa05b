/**
 * The console home: who you are, your effective permissions (identity policies,
 * boundary, session policies) and a policy simulator that explains its answer
 * with the same engine and the same live policies as a real request. Like the API,
 * it answers that federated sessions cannot call IAM or STS (but GetCallerIdentity).
 */
import { Router, type Request, type Response } from 'express';
import { createContext, explain, type PolicyEntry } from '../policy/index.js';
import { actionNameProblem } from '../policy/simulation.js';
import { requestContextValues } from '../iam/caller.js';
import { generateToken } from '../web/csrf.js';
import { opOf } from './invoke.js';

interface SimForm {
  action: string;
  resource: string;
  result?: ReturnType<typeof explain>;
  /** Why the request was refused (AWS's code and message), instead of a result. */
  error?: string;
}

const pretty = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};
const show = (entries: readonly PolicyEntry[] | undefined) => (entries ?? []).map((e) => ({ name: e.name, document: pretty(e.policy.text) }));

export async function renderHome(req: Request, res: Response, sim: SimForm): Promise<void> {
  const op = opOf(res);
  const set = await op.deps.permissions.policySet(op.caller);
  const isRoot = op.caller.type === 'Account';
  const permissionGroups = [
    { title: 'Identity policies', entries: isRoot ? [{ name: 'account root', document: 'The account root may do everything.' }] : show(set.identity), empty: 'None: every request is denied.' },
    { title: 'Permissions boundary', entries: set.boundary ? show([set.boundary]) : [], empty: 'None.' },
    {
      title: 'Session policies',
      entries: (op.caller.session?.policies ?? []).map((doc, i) => ({ name: `session policy ${i + 1}`, document: pretty(doc) })),
      empty: op.caller.type === 'FederatedUser' ? 'None: a federated session without a session policy can do nothing.' : 'None.',
    },
  ];
  res.render('console/home', { ...(await headerLocals(req, res)), title: 'Home', caller: op.caller, permissionGroups, sim });
}

/** What the console header shows: identity, account (alias or id), time left, the way back, CSRF token. */
export async function headerLocals(req: Request, res: Response): Promise<Record<string, unknown>> {
  const op = opOf(res);
  const account = await op.deps.store.accounts.get(op.caller.accountId);
  const flash = req.session.flash;
  delete req.session.flash;
  return {
    who: op.caller.arn,
    account: account?.alias ?? op.caller.accountId,
    accountId: op.caller.accountId,
    expiresAt: req.session.console!.expiresAt,
    now: op.facts.now,
    csrfToken: generateToken(req),
    flash,
    // "Back to the portal": the session's trusted Issuer, or the portal (set by the gate).
    wayBack: (res.locals.wayBack as { href: string } | undefined) ?? { href: '/portal/' },
  };
}

export function homeRoutes(): Router {
  const router = Router();
  router.get('/', (req, res) => renderHome(req, res, { action: '', resource: '' }));
  router.post('/simulate', async (req, res) => {
    const op = opOf(res);
    const action = String(req.body?.action ?? '').trim().slice(0, 256);
    const resource = String(req.body?.resource ?? '').trim().slice(0, 2048) || '*';
    const sim: SimForm = { action, resource };
    // The same rule as the API's Simulate* actions: `service:action`, else InvalidInput.
    const problem = actionNameProblem(action);
    if (problem) {
      sim.error = `InvalidInput: ${problem}`;
      res.status(400);
    } else {
      const service = action.slice(0, action.indexOf(':')).toLowerCase();
      if (action.toLowerCase() === 'sts:getcalleridentity') {
        sim.result = { decision: 'Allow', reason: 'GetCallerIdentity needs no permission: every caller may call it.', matchedStatements: [] };
      } else if (op.caller.type === 'FederatedUser' && (service === 'iam' || service === 'sts')) {
        // As the API refuses them (src/iam/authorize.ts), whatever the policies say.
        sim.result = { decision: 'ImplicitDeny', reason: `Federated user sessions cannot call ${service.toUpperCase()}, whatever their policies allow (as in AWS).`, matchedStatements: [] };
      } else if (op.caller.type === 'Account') {
        sim.result = { decision: 'Allow', reason: 'The account root may do everything.', matchedStatements: [] };
      } else {
        const set = await op.deps.permissions.policySet(op.caller);
        const context = createContext(requestContextValues(op.caller, op.facts), { now: op.facts.now });
        sim.result = explain({ action, resource, context }, set);
      }
    }
    await renderHome(req, res, sim);
  });
  return router;
}
