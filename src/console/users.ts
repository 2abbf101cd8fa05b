/**
 * IAM users: the list (paginated with IAM's markers), create, delete, and the user's
 * page with its groups, policies, access keys, password, MFA devices and signing certificates.
 * - DeleteUser refuses while the user still has keys, a password, MFA, policies or
 *   groups; the page says so and what to remove.
 * - Group membership is added and removed here; policies, keys and the password have
 *   their own routers (owner-policies.ts, user-credentials.ts).
 */
import { Router, type Request, type Response } from 'express';
import { invoke, opOf } from './invoke.js';
import { ownerPolicies, OWNER_SPECS } from './owner-policies.js';
import { act, attempt, describe, field, form, PAGE_SIZE, refusedPage, refusalOf, render, seg } from './page.js';

const LIST = '/console/iam/users';
const userUrl = (name: string) => `${LIST}/${seg(name)}`;

const DELETE_HELP = 'A user can be deleted only when it has no access keys, password, MFA device, inline or attached policies, and group memberships. Remove them on this page first.';

async function list(req: Request, res: Response): Promise<void> {
  const marker = field(req.query, 'marker');
  const users = await attempt(res, 'ListUsers', { MaxItems: PAGE_SIZE, Marker: marker || undefined });
  await render(req, res, 'users', { title: 'Users', users, marker }, users.ok ? 200 : users.status);
}

async function detail(req: Request, res: Response): Promise<void> {
  const name = String(req.params.name);
  const user = await attempt(res, 'GetUser', { UserName: name });
  if (!user.ok) return refusedPage(req, res, `User ${name}`, user);
  const groups = await attempt(res, 'ListGroupsForUser', { UserName: name });
  const allGroups = await attempt(res, 'ListGroups', { MaxItems: 1000 });
  const keys = await attempt(res, 'ListAccessKeys', { UserName: name });
  const profile = await attempt(res, 'GetLoginProfile', { UserName: name });
  const mfa = await attempt(res, 'ListMFADevices', { UserName: name });
  const certificates = await attempt(res, 'ListSigningCertificates', { UserName: name });
  await render(req, res, 'user', {
    title: `User ${name}`,
    user: user.value.User,
    name,
    groups,
    groupChoices: allGroups.ok ? (allGroups.value.Groups as Array<{ GroupName: string }>).map((g) => g.GroupName) : [],
    policies: await ownerPolicies(res, OWNER_SPECS.user, name),
    keys,
    // No login profile is a state, not a refusal.
    profile: profile.ok || profile.code === 'NoSuchEntity' ? { ok: true, value: profile.ok ? profile.value.LoginProfile : undefined } : profile,
    mfa,
    certificates,
  });
}

export function userRoutes(): Router {
  const router = Router();
  router.get('/iam/users', list);

  router.post('/iam/users', async (req, res) => {
    const name = form(req, 'UserName');
    try {
      await invoke(opOf(res), 'CreateUser', { UserName: name, Path: form(req, 'Path') || undefined });
    } catch (err) {
      req.session.flash = { kind: 'error', text: describe(refusalOf(err)) };
      return res.redirect(303, LIST);
    }
    req.session.flash = { kind: 'notice', text: `User ${name} created.` };
    res.redirect(303, userUrl(name));
  });

  router.get('/iam/users/:name', detail);

  router.post('/iam/users/:name/delete', async (req, res) => {
    const name = String(req.params.name);
    try {
      await invoke(opOf(res), 'DeleteUser', { UserName: name });
    } catch (err) {
      const r = refusalOf(err);
      // "must … first" conflicts get the how-to; the broker's refusal explains itself (broker-guard.ts).
      const mustFirst = r.code === 'DeleteConflict' && r.message.startsWith('Cannot delete entity, must ');
      req.session.flash = { kind: 'error', text: mustFirst ? `${r.code}: ${r.message} ${DELETE_HELP}` : r.code === 'DeleteConflict' ? `${r.code}: ${r.message}` : describe(r) };
      return res.redirect(303, r.code === 'NoSuchEntity' ? LIST : userUrl(name));
    }
    req.session.flash = { kind: 'notice', text: `User ${name} deleted.` };
    res.redirect(303, LIST);
  });

  router.post('/iam/users/:name/groups', (req, res) => {
    const name = String(req.params.name);
    const group = form(req, 'GroupName');
    return act(req, res, userUrl(name), `Added to group ${group}.`, () => invoke(opOf(res), 'AddUserToGroup', { UserName: name, GroupName: group }));
  });

  router.post('/iam/users/:name/groups/remove', (req, res) => {
    const name = String(req.params.name);
    const group = form(req, 'GroupName');
    return act(req, res, userUrl(name), `Removed from group ${group}.`, () => invoke(opOf(res), 'RemoveUserFromGroup', { UserName: name, GroupName: group }));
  });
  return router;
}
