/**
 * Account settings: the password policy (UpdateAccountPasswordPolicy, or delete it to
 * fall back to AWS's default rules) and the account alias (create, delete). The alias
 * names the account in the IAM-user sign-in URL, /console/signin?account=<alias>.
 */
import { Router, type Request, type Response } from 'express';
import { integerField, invoke, opOf } from './invoke.js';
import type { IamInputs } from '../api/index.js';
import { act, attempt, field, form, render } from './page.js';

const PAGE = '/console/iam/account';
const FLAGS = ['RequireSymbols', 'RequireNumbers', 'RequireUppercaseCharacters', 'RequireLowercaseCharacters', 'AllowUsersToChangePassword', 'HardExpiry'] as const;

async function show(req: Request, res: Response): Promise<void> {
  const policy = await attempt(res, 'GetAccountPasswordPolicy');
  const aliases = await attempt(res, 'ListAccountAliases');
  await render(req, res, 'account', {
    title: 'Account settings',
    accountId: opOf(res).caller.accountId,
    // No policy is a state (AWS's default rules apply), not a refusal.
    policy: policy.ok || policy.code === 'NoSuchEntity' ? { ok: true, value: policy.ok ? policy.value.PasswordPolicy : undefined } : policy,
    aliases,
    flags: FLAGS,
  });
}

export function accountRoutes(): Router {
  const router = Router();
  router.get('/iam/account', show);

  router.post('/iam/account/password-policy', (req, res) => {
    const policy = () => {
      const input: IamInputs['UpdateAccountPasswordPolicy'] = {
        MinimumPasswordLength: integerField(form(req, 'MinimumPasswordLength'), 'MinimumPasswordLength'),
        MaxPasswordAge: integerField(form(req, 'MaxPasswordAge'), 'MaxPasswordAge'),
        PasswordReusePrevention: integerField(form(req, 'PasswordReusePrevention'), 'PasswordReusePrevention'),
      };
      for (const flag of FLAGS) input[flag] = field(req.body, flag) === 'on';
      return input;
    };
    return act(req, res, PAGE, 'Password policy saved.', () => invoke(opOf(res), 'UpdateAccountPasswordPolicy', policy()));
  });

  router.post('/iam/account/password-policy/delete', (req, res) =>
    act(req, res, PAGE, 'Password policy removed; the default rules apply.', () => invoke(opOf(res), 'DeleteAccountPasswordPolicy')),
  );

  router.post('/iam/account/alias', (req, res) => {
    const alias = form(req, 'AccountAlias');
    return act(req, res, PAGE, `Account alias ${alias} created.`, () => invoke(opOf(res), 'CreateAccountAlias', { AccountAlias: alias }));
  });

  router.post('/iam/account/alias/delete', (req, res) => {
    const alias = form(req, 'AccountAlias');
    return act(req, res, PAGE, `Account alias ${alias} deleted.`, () => invoke(opOf(res), 'DeleteAccountAlias', { AccountAlias: alias }));
  });
  return router;
}
