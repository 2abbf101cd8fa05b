/**
 * A user's sign-in credentials, from the user's page: access keys and the console password.
 * - A new key's secret is shown once, on the page that answers the POST, with
 *   `Cache-Control: no-store`; it is never stored in the session nor shown again.
 * - Keys are deactivated, activated and deleted with UpdateAccessKey / DeleteAccessKey.
 * - The password (login profile) is set with CreateLoginProfile, or UpdateLoginProfile
 *   when one exists, and checked against the account password policy by IAM.
 */
import { Router, type Request, type Response } from 'express';
import { enumField, invoke, opOf, STATUSES } from './invoke.js';
import { act, describe, field, form, rawForm, refusalOf, render, seg } from './page.js';

const userUrl = (name: string) => `/console/iam/users/${seg(name)}`;

/** Creates an access key (for `userName`, or the caller's own when undefined) and shows its secret once. */
export async function createKeyAndShow(req: Request, res: Response, userName: string | undefined, back: string): Promise<void> {
  let key: object | undefined;
  try {
    const out = await invoke(opOf(res), 'CreateAccessKey', { UserName: userName });
    key = out?.AccessKey;
  } catch (err) {
    req.session.flash = { kind: 'error', text: describe(refusalOf(err)) };
    return res.redirect(303, back);
  }
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  await render(req, res, 'access-key-created', { title: 'Access key created', key, back });
}

export function userCredentialRoutes(): Router {
  const router = Router();
  const nameOf = (req: Request) => String(req.params.name);

  router.post('/iam/users/:name/keys', (req, res) => createKeyAndShow(req, res, nameOf(req), userUrl(nameOf(req))));

  router.post('/iam/users/:name/keys/status', (req, res) => {
    const status = form(req, 'Status');
    return act(req, res, userUrl(nameOf(req)), `Access key ${status === 'Active' ? 'activated' : 'deactivated'}.`, () =>
      invoke(opOf(res), 'UpdateAccessKey', { UserName: nameOf(req), AccessKeyId: form(req, 'AccessKeyId'), Status: enumField(status, STATUSES, 'Status') }),
    );
  });

  router.post('/iam/users/:name/keys/delete', (req, res) =>
    act(req, res, userUrl(nameOf(req)), 'Access key deleted.', () => invoke(opOf(res), 'DeleteAccessKey', { UserName: nameOf(req), AccessKeyId: form(req, 'AccessKeyId') })),
  );

  router.post('/iam/users/:name/login-profile', (req, res) => {
    const name = nameOf(req);
    const params = { UserName: name, Password: rawForm(req, 'Password'), PasswordResetRequired: field(req.body, 'PasswordResetRequired') === 'on' };
    return act(req, res, userUrl(name), 'Console password set.', async () => {
      const exists = field(req.body, 'exists') === '1';
      await invoke(opOf(res), exists ? 'UpdateLoginProfile' : 'CreateLoginProfile', params);
    });
  });

  router.post('/iam/users/:name/login-profile/delete', (req, res) =>
    act(req, res, userUrl(nameOf(req)), 'Console password removed.', () => invoke(opOf(res), 'DeleteLoginProfile', { UserName: nameOf(req) })),
  );
  return router;
}
