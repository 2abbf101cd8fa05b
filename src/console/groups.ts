/**
 * IAM groups: the list (paginated), create, delete, and the group's page with its
 * members (add, remove) and policies (owner-policies.ts).
 * - DeleteGroup refuses while the group has members or policies; the page says so.
 */
import { Router, type Request, type Response } from 'express';
import { invoke, opOf } from './invoke.js';
import { ownerPolicies, OWNER_SPECS } from './owner-policies.js';
import { act, attempt, describe, field, form, PAGE_SIZE, refusedPage, refusalOf, render, seg } from './page.js';

const LIST = '/console/iam/groups';
const groupUrl = (name: string) => `${LIST}/${seg(name)}`;

async function list(req: Request, res: Response): Promise<void> {
  const marker = field(req.query, 'marker');
  const groups = await attempt(res, 'ListGroups', { MaxItems: PAGE_SIZE, Marker: marker || undefined });
  await render(req, res, 'groups', { title: 'Groups', groups, marker }, groups.ok ? 200 : groups.status);
}

async function detail(req: Request, res: Response): Promise<void> {
  const name = String(req.params.name);
  const group = await attempt(res, 'GetGroup', { GroupName: name, MaxItems: 1000 });
  if (!group.ok) return refusedPage(req, res, `Group ${name}`, group);
  const users = await attempt(res, 'ListUsers', { MaxItems: 1000 });
  await render(req, res, 'group', {
    title: `Group ${name}`,
    name,
    group: group.value.Group,
    members: group.value.Users,
    userChoices: users.ok ? (users.value.Users as Array<{ UserName: string }>).map((u) => u.UserName) : [],
    policies: await ownerPolicies(res, OWNER_SPECS.group, name),
  });
}

export function groupRoutes(): Router {
  const router = Router();
  router.get('/iam/groups', list);

  router.post('/iam/groups', async (req, res) => {
    const name = form(req, 'GroupName');
    try {
      await invoke(opOf(res), 'CreateGroup', { GroupName: name, Path: form(req, 'Path') || undefined });
    } catch (err) {
      req.session.flash = { kind: 'error', text: describe(refusalOf(err)) };
      return res.redirect(303, LIST);
    }
    req.session.flash = { kind: 'notice', text: `Group ${name} created.` };
    res.redirect(303, groupUrl(name));
  });

  router.get('/iam/groups/:name', detail);

  router.post('/iam/groups/:name/delete', async (req, res) => {
    const name = String(req.params.name);
    try {
      await invoke(opOf(res), 'DeleteGroup', { GroupName: name });
    } catch (err) {
      const r = refusalOf(err);
      const help = r.code === 'DeleteConflict' ? ' A group can be deleted only when it has no members and no policies.' : '';
      req.session.flash = { kind: 'error', text: describe(r) + help };
      return res.redirect(303, r.code === 'NoSuchEntity' ? LIST : groupUrl(name));
    }
    req.session.flash = { kind: 'notice', text: `Group ${name} deleted.` };
    res.redirect(303, LIST);
  });

  router.post('/iam/groups/:name/members', (req, res) => {
    const name = String(req.params.name);
    const user = form(req, 'UserName');
    return act(req, res, groupUrl(name), `${user} added to the group.`, () => invoke(opOf(res), 'AddUserToGroup', { GroupName: name, UserName: user }));
  });

  router.post('/iam/groups/:name/members/remove', (req, res) => {
    const name = String(req.params.name);
    const user = form(req, 'UserName');
    return act(req, res, groupUrl(name), `${user} removed from the group.`, () => invoke(opOf(res), 'RemoveUserFromGroup', { GroupName: name, UserName: user }));
  });
  return router;
}
