/**
 * Customer managed policies: the list (paginated), create, the policy's page (its default
 * version's document and its versions), a new version, set default, delete a version,
 * delete the policy. A policy is addressed by its ARN in `?arn=`.
 * - Documents are validated by CreatePolicy / CreatePolicyVersion as they are saved; a
 *   refusal re-renders the form with AWS's message and the text as typed (4xx).
 * - DeletePolicy refuses while the policy is attached or has other versions; the page says so.
 */
import { Router, type Request, type Response } from 'express';
import { invoke, opOf } from './invoke.js';
import { act, attempt, describe, field, form, PAGE_SIZE, rawForm, refusedPage, refusalOf, render, showDocument } from './page.js';

const LIST = '/console/iam/policies';
const policyUrl = (arn: string) => `/console/iam/policy?arn=${encodeURIComponent(arn)}`;

const EXAMPLE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }] }, null, 2);

interface DocForm {
  document: string;
  error: string;
}

async function list(req: Request, res: Response, create?: { name: string; description: string } & DocForm, status?: number): Promise<void> {
  const marker = field(req.query, 'marker');
  const policies = await attempt(res, 'ListPolicies', { Scope: 'Local', MaxItems: PAGE_SIZE, Marker: marker || undefined });
  await render(req, res, 'policies', { title: 'Policies', policies, marker, create: create ?? { name: '', description: '', document: EXAMPLE, error: '' } }, status ?? (policies.ok ? 200 : policies.status));
}

async function detail(req: Request, res: Response, arn: string, version?: DocForm, status = 200): Promise<void> {
  const policy = await attempt(res, 'GetPolicy', { PolicyArn: arn });
  if (!policy.ok) return refusedPage(req, res, 'Policy', policy);
  const p = policy.value.Policy;
  const versions = await attempt(res, 'ListPolicyVersions', { PolicyArn: arn });
  const current = await attempt(res, 'GetPolicyVersion', { PolicyArn: arn, VersionId: p.DefaultVersionId });
  const document = current.ok ? showDocument(current.value.PolicyVersion.Document) : '';
  await render(req, res, 'policy', { title: `Policy ${p.PolicyName}`, policy: p, arn, versions, current, document, version: version ?? { document, error: '' } }, status);
}

export function policyRoutes(): Router {
  const router = Router();
  router.get('/iam/policies', (req, res) => list(req, res));

  router.post('/iam/policies', async (req, res) => {
    const f = { name: form(req, 'PolicyName'), description: form(req, 'Description'), document: rawForm(req, 'PolicyDocument'), error: '' };
    let arn: string;
    try {
      const out = await invoke(opOf(res), 'CreatePolicy', { PolicyName: f.name, Description: f.description, PolicyDocument: f.document, Path: form(req, 'Path') || undefined });
      arn = (out!.Policy as { Arn: string }).Arn;
    } catch (err) {
      const r = refusalOf(err);
      return list(req, res, { ...f, error: describe(r) }, r.status);
    }
    req.session.flash = { kind: 'notice', text: `Policy ${f.name} created.` };
    res.redirect(303, policyUrl(arn));
  });

  router.get('/iam/policy', (req, res) => detail(req, res, field(req.query, 'arn')));

  router.post('/iam/policy/versions', async (req, res) => {
    const arn = form(req, 'PolicyArn');
    const document = rawForm(req, 'PolicyDocument');
    try {
      await invoke(opOf(res), 'CreatePolicyVersion', { PolicyArn: arn, PolicyDocument: document, SetAsDefault: field(req.body, 'SetAsDefault') === 'on' });
    } catch (err) {
      const r = refusalOf(err);
      return detail(req, res, arn, { document, error: describe(r) }, r.status);
    }
    req.session.flash = { kind: 'notice', text: 'New version created.' };
    res.redirect(303, policyUrl(arn));
  });

  router.post('/iam/policy/versions/default', (req, res) => {
    const arn = form(req, 'PolicyArn');
    return act(req, res, policyUrl(arn), 'Default version changed.', () => invoke(opOf(res), 'SetDefaultPolicyVersion', { PolicyArn: arn, VersionId: form(req, 'VersionId') }));
  });

  router.post('/iam/policy/versions/delete', (req, res) => {
    const arn = form(req, 'PolicyArn');
    return act(req, res, policyUrl(arn), 'Version deleted.', () => invoke(opOf(res), 'DeletePolicyVersion', { PolicyArn: arn, VersionId: form(req, 'VersionId') }));
  });

  router.post('/iam/policy/delete', async (req, res) => {
    const arn = form(req, 'PolicyArn');
    try {
      await invoke(opOf(res), 'DeletePolicy', { PolicyArn: arn });
    } catch (err) {
      const r = refusalOf(err);
      const help = r.code === 'DeleteConflict' ? ' Detach it from every user, group and role, and delete its other versions, first.' : '';
      req.session.flash = { kind: 'error', text: describe(r) + help };
      return res.redirect(303, r.code === 'NoSuchEntity' ? LIST : policyUrl(arn));
    }
    req.session.flash = { kind: 'notice', text: 'Policy deleted.' };
    res.redirect(303, LIST);
  });
  return router;
}
