/**
 * My security credentials (/console/security-credentials), for IAM users signed in with
 * a password; other sessions are told why it does not apply to them.
 * - Change my password: ChangePassword, checked against the account password policy.
 * - My access keys: Create/Update/DeleteAccessKey without UserName (the caller's own), so
 *   they need the user's own policy, e.g. iam:*AccessKey* on user/${aws:username}.
 * - My virtual MFA device: CreateVirtualMFADevice named after me → the QR code (a data: URI
 *   image) and the Base32 seed, shown once on a no-store page → two consecutive codes →
 *   EnableMFADevice. Setting up again replaces an unfinished (unassigned) device.
 *   Removing it is DeactivateMFADevice then DeleteVirtualMFADevice.
 */
import { Router, type Request, type Response } from 'express';
import { enumField, invoke, opOf, STATUSES } from './invoke.js';
import { act, attempt, describe, form, rawForm, refusalOf, render } from './page.js';
import { createKeyAndShow } from './user-credentials.js';

const PAGE = '/console/security-credentials';

/** The signed-in IAM user's name, or undefined for federated and role sessions. */
function myName(res: Response): string | undefined {
  const op = opOf(res);
  return res.locals.consoleSession?.kind === 'user' && op.caller.type === 'User' ? op.caller.user?.name : undefined;
}

async function show(req: Request, res: Response): Promise<void> {
  const me = myName(res);
  if (!me) return render(req, res, 'security-credentials', { title: 'My security credentials', me, callerType: opOf(res).caller.type });
  const keys = await attempt(res, 'ListAccessKeys');
  const mfa = await attempt(res, 'ListMFADevices');
  await render(req, res, 'security-credentials', { title: 'My security credentials', me, keys, mfa });
}

async function setUpMfa(req: Request, res: Response, me: string): Promise<void> {
  const op = opOf(res);
  const create = () => invoke(op, 'CreateVirtualMFADevice', { VirtualMFADeviceName: me });
  let out;
  try {
    try {
      out = await create();
    } catch (err) {
      if (refusalOf(err).code !== 'EntityAlreadyExists') throw err;
      // An unfinished set-up: its seed is gone, so replace the device (refused if it is assigned).
      await invoke(op, 'DeleteVirtualMFADevice', { SerialNumber: `arn:aws:iam::${op.caller.accountId}:mfa/${me}` });
      out = await create();
    }
  } catch (err) {
    req.session.flash = { kind: 'error', text: describe(refusalOf(err)) };
    return res.redirect(303, PAGE);
  }
  const d = out!.VirtualMFADevice as { SerialNumber: string; Base32StringSeed: Buffer; QRCodePNG: Buffer };
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  await render(req, res, 'mfa-setup', {
    title: 'Set up MFA',
    serial: d.SerialNumber,
    seed: Buffer.from(d.Base32StringSeed).toString('latin1'),
    qr: `data:image/png;base64,${Buffer.from(d.QRCodePNG).toString('base64')}`,
  });
}

export function securityCredentialRoutes(): Router {
  const router = Router();
  router.get('/security-credentials', show);

  // Every POST below is for IAM-user sessions only.
  router.post('/security-credentials/*rest', (req, res, next) => {
    if (myName(res)) return next();
    req.session.flash = { kind: 'error', text: 'My security credentials applies to IAM users signed in with a password.' };
    res.redirect(303, PAGE);
  });

  router.post('/security-credentials/password', (req, res) => {
    const next = rawForm(req, 'NewPassword');
    if (next !== rawForm(req, 'ConfirmPassword')) {
      req.session.flash = { kind: 'error', text: 'The new password and its confirmation differ.' };
      return res.redirect(303, PAGE);
    }
    return act(req, res, PAGE, 'Your password has been changed.', () => invoke(opOf(res), 'ChangePassword', { OldPassword: rawForm(req, 'OldPassword'), NewPassword: next }));
  });

  router.post('/security-credentials/keys', (req, res) => createKeyAndShow(req, res, undefined, PAGE));

  router.post('/security-credentials/keys/status', (req, res) => {
    const status = form(req, 'Status');
    return act(req, res, PAGE, `Access key ${status === 'Active' ? 'activated' : 'deactivated'}.`, () =>
      invoke(opOf(res), 'UpdateAccessKey', { AccessKeyId: form(req, 'AccessKeyId'), Status: enumField(status, STATUSES, 'Status') }),
    );
  });

  router.post('/security-credentials/keys/delete', (req, res) =>
    act(req, res, PAGE, 'Access key deleted.', () => invoke(opOf(res), 'DeleteAccessKey', { AccessKeyId: form(req, 'AccessKeyId') })),
  );

  router.post('/security-credentials/mfa', (req, res) => setUpMfa(req, res, myName(res)!));

  router.post('/security-credentials/mfa/enable', (req, res) =>
    act(req, res, PAGE, 'Your MFA device is enabled; you will be asked for a code at sign-in.', () =>
      invoke(opOf(res), 'EnableMFADevice', {
        UserName: myName(res)!,
        SerialNumber: form(req, 'SerialNumber'),
        AuthenticationCode1: form(req, 'AuthenticationCode1'),
        AuthenticationCode2: form(req, 'AuthenticationCode2'),
      }),
    ),
  );

  router.post('/security-credentials/mfa/delete', (req, res) =>
    act(req, res, PAGE, 'Your MFA device has been removed.', async () => {
      const serial = form(req, 'SerialNumber');
      await invoke(opOf(res), 'DeactivateMFADevice', { UserName: myName(res)!, SerialNumber: serial });
      await invoke(opOf(res), 'DeleteVirtualMFADevice', { SerialNumber: serial });
    }),
  );
  return router;
}
