/**
 * The policies of a user, group or role, written once for the three owner kinds:
 * attached managed policies (attach, detach) and inline policies (list, edit, delete).
 * - An inline policy is validated as it is saved (Put*Policy): a MalformedPolicyDocument
 *   re-renders the editor with AWS's message and the text exactly as typed (400).
 * - Each action is the API's own, so each is allowed or refused by the session's policies.
 */
import { Router, type Request, type Response } from 'express';
import { act, attempt, describe, form, rawForm, field, refusalOf, render, seg, showDocument, type Outcome } from './page.js';
import { invokeNamed, opOf } from './invoke.js';

export interface OwnerSpec {
  noun: 'User' | 'Group' | 'Role';
  /** The input member naming the owner. */
  param: 'UserName' | 'GroupName' | 'RoleName';
  /** The URL segment: /console/iam/<base>/<name>. */
  base: 'users' | 'groups' | 'roles';
}

export const OWNER_SPECS = {
  user: { noun: 'User', param: 'UserName', base: 'users' },
  group: { noun: 'Group', param: 'GroupName', base: 'groups' },
  role: { noun: 'Role', param: 'RoleName', base: 'roles' },
} as const satisfies Record<string, OwnerSpec>;

export interface OwnerPolicies {
  attached: Outcome;
  inline: Outcome;
  /** ARNs of the account's managed policies, offered when attaching (empty when not listable). */
  choices: string[];
}

export const ownerUrl = (spec: OwnerSpec, name: string) => `/console/iam/${spec.base}/${seg(name)}`;

/** What the policies section of an owner's page shows. */
export async function ownerPolicies(res: Response, spec: OwnerSpec, name: string): Promise<OwnerPolicies> {
  const attached = await attempt(res, `ListAttached${spec.noun}Policies`, { [spec.param]: name });
  const inline = await attempt(res, `List${spec.noun}Policies`, { [spec.param]: name });
  const all = await attempt(res, 'ListPolicies', { Scope: 'Local', MaxItems: 1000 });
  const choices = all.ok ? (all.value.Policies as Array<{ Arn: string }>).map((p) => p.Arn) : [];
  return { attached, inline, choices };
}

interface Editor {
  policyName: string;
  document: string;
  isNew: boolean;
  error?: string;
}

async function editor(req: Request, res: Response, spec: OwnerSpec, name: string, e: Editor, status = 200): Promise<void> {
  await render(req, res, 'inline-policy', { title: `Inline policy of ${name}`, spec, owner: name, ownerUrl: ownerUrl(spec, name), ...e }, status);
}

const EXAMPLE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }] }, null, 2);

export function ownerPolicyRoutes(spec: OwnerSpec): Router {
  const router = Router();
  const base = `/iam/${spec.base}/:name`;
  const nameOf = (req: Request) => String(req.params.name);

  router.post(`${base}/attached`, (req, res) => {
    const name = nameOf(req);
    return act(req, res, ownerUrl(spec, name), 'Policy attached.', () => invokeNamed(opOf(res), `Attach${spec.noun}Policy`, { [spec.param]: name, PolicyArn: form(req, 'PolicyArn') }));
  });

  router.post(`${base}/attached/detach`, (req, res) => {
    const name = nameOf(req);
    return act(req, res, ownerUrl(spec, name), 'Policy detached.', () => invokeNamed(opOf(res), `Detach${spec.noun}Policy`, { [spec.param]: name, PolicyArn: form(req, 'PolicyArn') }));
  });

  // The editor: ?policy=NAME edits an existing inline policy; without it, a new one.
  router.get(`${base}/inline`, async (req, res) => {
    const name = nameOf(req);
    const policyName = field(req.query, 'policy');
    if (!policyName) return editor(req, res, spec, name, { policyName: '', document: EXAMPLE, isNew: true });
    const got = await attempt(res, `Get${spec.noun}Policy`, { [spec.param]: name, PolicyName: policyName });
    if (!got.ok) return editor(req, res, spec, name, { policyName, document: '', isNew: false, error: describe(got) }, got.status);
    await editor(req, res, spec, name, { policyName, document: showDocument(got.value.PolicyDocument), isNew: false });
  });

  router.post(`${base}/inline`, async (req, res) => {
    const name = nameOf(req);
    const policyName = form(req, 'PolicyName');
    const document = rawForm(req, 'PolicyDocument');
    try {
      await invokeNamed(opOf(res), `Put${spec.noun}Policy`, { [spec.param]: name, PolicyName: policyName, PolicyDocument: document });
    } catch (err) {
      const r = refusalOf(err);
      return editor(req, res, spec, name, { policyName, document, isNew: field(req.body, 'isNew') === '1', error: describe(r) }, r.status);
    }
    req.session.flash = { kind: 'notice', text: `Inline policy ${policyName} saved.` };
    res.redirect(303, ownerUrl(spec, name));
  });

  router.post(`${base}/inline/delete`, (req, res) => {
    const name = nameOf(req);
    const policyName = form(req, 'PolicyName');
    return act(req, res, ownerUrl(spec, name), `Inline policy ${policyName} deleted.`, () => invokeNamed(opOf(res), `Delete${spec.noun}Policy`, { [spec.param]: name, PolicyName: policyName }));
  });

  return router;
}
