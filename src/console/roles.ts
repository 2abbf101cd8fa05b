/**
 * IAM roles: the list (paginated), create with a trust policy, delete, and the role's
 * page with its trust policy (editable) and policies (owner-policies.ts).
 * - The trust policy is validated by CreateRole / UpdateAssumeRolePolicy as it is saved;
 *   a refusal re-renders the form with AWS's message and the text as typed (4xx).
 * - DeleteRole refuses while the role has policies; the page says so.
 */
import { Router, type Request, type Response } from 'express';
import { integerField, invoke, opOf } from './invoke.js';
import { ownerPolicies, OWNER_SPECS } from './owner-policies.js';
import { attempt, describe, field, form, PAGE_SIZE, rawForm, refusedPage, refusalOf, render, seg, showDocument } from './page.js';

const LIST = '/console/iam/roles';
const roleUrl = (name: string) => `${LIST}/${seg(name)}`;

interface RoleForm {
  RoleName: string;
  Description: string;
  MaxSessionDuration: string;
  AssumeRolePolicyDocument: string;
  error?: string;
}

const defaultTrust = (accountId: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }] }, null, 2);

async function list(req: Request, res: Response, create?: RoleForm, status?: number): Promise<void> {
  const marker = field(req.query, 'marker');
  const roles = await attempt(res, 'ListRoles', { MaxItems: PAGE_SIZE, Marker: marker || undefined });
  const blank = { RoleName: '', Description: '', MaxSessionDuration: '3600', AssumeRolePolicyDocument: defaultTrust(opOf(res).caller.accountId) };
  await render(req, res, 'roles', { title: 'Roles', roles, marker, create: create ?? blank }, status ?? (roles.ok ? 200 : roles.status));
}

async function detail(req: Request, res: Response, trust?: { document: string; error: string }, status = 200): Promise<void> {
  const name = String(req.params.name);
  const role = await attempt(res, 'GetRole', { RoleName: name });
  if (!role.ok) return refusedPage(req, res, `Role ${name}`, role);
  await render(
    req,
    res,
    'role',
    {
      title: `Role ${name}`,
      name,
      role: role.value.Role,
      trust: trust ?? { document: showDocument(role.value.Role.AssumeRolePolicyDocument), error: '' },
      policies: await ownerPolicies(res, OWNER_SPECS.role, name),
    },
    status,
  );
}

export function roleRoutes(): Router {
  const router = Router();
  router.get('/iam/roles', (req, res) => list(req, res));

  router.post('/iam/roles', async (req, res) => {
    const f: RoleForm = {
      RoleName: form(req, 'RoleName'),
      Description: form(req, 'Description'),
      MaxSessionDuration: form(req, 'MaxSessionDuration'),
      AssumeRolePolicyDocument: rawForm(req, 'AssumeRolePolicyDocument'),
    };
    try {
      await invoke(opOf(res), 'CreateRole', {
        RoleName: f.RoleName,
        Description: f.Description,
        MaxSessionDuration: integerField(f.MaxSessionDuration, 'MaxSessionDuration'),
        AssumeRolePolicyDocument: f.AssumeRolePolicyDocument,
        Path: form(req, 'Path') || undefined,
      });
    } catch (err) {
      const r = refusalOf(err);
      return list(req, res, { ...f, error: describe(r) }, r.status);
    }
    req.session.flash = { kind: 'notice', text: `Role ${f.RoleName} created.` };
    res.redirect(303, roleUrl(f.RoleName));
  });

  router.get('/iam/roles/:name', (req, res) => detail(req, res));

  router.post('/iam/roles/:name/trust', async (req, res) => {
    const name = String(req.params.name);
    const document = rawForm(req, 'PolicyDocument');
    try {
      await invoke(opOf(res), 'UpdateAssumeRolePolicy', { RoleName: name, PolicyDocument: document });
    } catch (err) {
      const r = refusalOf(err);
      return detail(req, res, { document, error: describe(r) }, r.status);
    }
    req.session.flash = { kind: 'notice', text: 'Trust policy saved.' };
    res.redirect(303, roleUrl(name));
  });

  router.post('/iam/roles/:name/delete', async (req, res) => {
    const name = String(req.params.name);
    try {
      await invoke(opOf(res), 'DeleteRole', { RoleName: name });
    } catch (err) {
      const r = refusalOf(err);
      const help = r.code === 'DeleteConflict' ? ' A role can be deleted only when it has no inline or attached policies.' : '';
      req.session.flash = { kind: 'error', text: describe(r) + help };
      return res.redirect(303, r.code === 'NoSuchEntity' ? LIST : roleUrl(name));
    }
    req.session.flash = { kind: 'notice', text: `Role ${name} deleted.` };
    res.redirect(303, LIST);
  });
  return router;
}
