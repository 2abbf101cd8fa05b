/**
 * Console passwords: login profiles, ChangePassword and the account password policy.
 * - Passwords are hashed with argon2id and never returned or logged.
 * - Setting or changing a password enforces the account policy (minimum length,
 *   and the lowercase / uppercase / number / symbol classes) → PasswordPolicyViolation.
 * - ChangePassword is the caller's own: an IAM user, with its current password. With the
 *   account's AllowUsersToChangePassword on, every IAM user may call it (and read the
 *   policy) unless a policy explicitly denies it. PasswordReusePrevention (N) refuses the
 *   current password and the N - 1 before it; with HardExpiry, an expired password can be
 *   replaced only by an administrator (UpdateLoginProfile).
 * - Every new password restarts MaxPasswordAge and pushes the old hash onto the profile's
 *   history (the 24 newest are kept).
 */
import { AccessDenied, EntityAlreadyExists, InvalidUserType, NoSuchEntity, PasswordPolicyViolation } from '../../shared/errors.js';
import type { LoginProfileRecord, PasswordPolicy } from '../../store/types.js';
import { createContext, explain } from '../../policy/index.js';
import { arnOf, authorize, type AuthResource } from '../authorize.js';
import { requestContextValues } from '../caller.js';
import { hashPassword, passwordPolicyViolation, passwordStatus, reusesPassword, verifyPassword } from '../passwords.js';
import { findUser } from './common.js';
import type { Operation, IamActionTable } from './types.js';
import { userResource } from './users.js';

async function checkPassword(op: Operation, password: string): Promise<PasswordPolicy | null> {
  const policy = (await op.deps.store.accounts.get(op.caller.accountId))?.passwordPolicy ?? null;
  const violation = passwordPolicyViolation(password, policy);
  if (violation) throw new PasswordPolicyViolation(violation);
  return policy;
}

/** The profile with `hash` as its new password, set now; the old hash joins the history. */
const withNewPassword = (profile: LoginProfileRecord, hash: string, now: number): LoginProfileRecord => ({
  ...profile,
  passwordHash: hash,
  passwordChangedAt: now,
  previousHashes: [profile.passwordHash, ...profile.previousHashes],
});

/**
 * Authorises an IAM user's own-password action. With the account policy's
 * AllowUsersToChangePassword on, AWS grants every IAM user iam:ChangePassword on
 * itself and iam:GetAccountPasswordPolicy without a policy; an explicit Deny still wins.
 */
async function authorizeOwnPassword(op: Operation, action: string, resource: AuthResource): Promise<void> {
  const account = await op.deps.store.accounts.get(op.caller.accountId);
  if (op.caller.type === 'User' && account?.passwordPolicy?.allowUsersToChangePassword === true) {
    const set = await op.deps.permissions.policySet(op.caller);
    const context = createContext(requestContextValues(op.caller, op.facts), { now: op.facts.now });
    if (explain({ action, resource: arnOf(resource), context }, set).decision !== 'ExplicitDeny') return;
  }
  await authorize(op, action, resource);
}

const profileShape = (userName: string, createdAt: number, resetRequired: boolean) => ({ UserName: userName, CreateDate: createdAt, PasswordResetRequired: resetRequired });
const byUser = (i: { UserName: string }, op: Operation) => userResource(op, i.UserName);

const POLICY_DEFAULTS: PasswordPolicy = {
  minimumPasswordLength: 6,
  requireSymbols: false,
  requireNumbers: false,
  requireUppercaseCharacters: false,
  requireLowercaseCharacters: false,
  allowUsersToChangePassword: false,
  maxPasswordAge: null,
  passwordReusePrevention: null,
  hardExpiry: false,
};

export const passwordActions = {
  CreateLoginProfile: {
    resource: byUser,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      await checkPassword(op, input.Password);
      if (await op.deps.store.loginProfiles.get(user.id)) throw new EntityAlreadyExists(`Login Profile for user ${user.name} already exists.`);
      const now = op.facts.now;
      const profile = { userId: user.id, passwordHash: await hashPassword(input.Password), resetRequired: input.PasswordResetRequired === true, createdAt: now, passwordChangedAt: now, previousHashes: [] };
      await op.deps.store.loginProfiles.put(profile);
      return { LoginProfile: profileShape(user.name, profile.createdAt, profile.resetRequired) };
    },
  },

  GetLoginProfile: {
    resource: byUser,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const profile = await op.deps.store.loginProfiles.get(user.id);
      if (!profile) throw new NoSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
      return { LoginProfile: profileShape(user.name, profile.createdAt, profile.resetRequired) };
    },
  },

  UpdateLoginProfile: {
    resource: byUser,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const profile = await op.deps.store.loginProfiles.get(user.id);
      if (!profile) throw new NoSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
      const password = input.Password;
      if (password !== undefined) await checkPassword(op, password);
      await op.deps.store.loginProfiles.put({
        ...(password === undefined ? profile : withNewPassword(profile, await hashPassword(password), op.facts.now)),
        ...(input.PasswordResetRequired !== undefined && { resetRequired: input.PasswordResetRequired === true }),
      });
      return undefined;
    },
  },

  DeleteLoginProfile: {
    resource: byUser,
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      if (!(await op.deps.store.loginProfiles.delete(user.id))) throw new NoSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
      return undefined;
    },
  },

  ChangePassword: {
    // Authorised in run: the account's AllowUsersToChangePassword grants it to every IAM user for itself.
    public: true,
    async run(input, op) {
      if (op.caller.type !== 'User' || !op.caller.user) throw new InvalidUserType('Only IAM users can change their own password.');
      const user = op.caller.user;
      await authorizeOwnPassword(op, 'iam:ChangePassword', await userResource(op, user.name));
      const profile = await op.deps.store.loginProfiles.get(user.id);
      if (!profile) throw new NoSuchEntity(`Login Profile for User ${user.name} cannot be found.`);
      if (!(await verifyPassword(profile.passwordHash, input.OldPassword))) throw new AccessDenied('The old password is incorrect.');
      const next = input.NewPassword;
      const policy = await checkPassword(op, next);
      if (passwordStatus(profile, policy, op.facts.now) === 'hard-expired') {
        throw new AccessDenied('Your password has expired and the account password policy (HardExpiry) lets only an administrator reset it.');
      }
      if (await reusesPassword(next, profile, policy)) {
        throw new PasswordPolicyViolation(`Password does not conform to the account password policy: it must not be one of your last ${policy!.passwordReusePrevention} passwords.`);
      }
      await op.deps.store.loginProfiles.put({ ...withNewPassword(profile, await hashPassword(next), op.facts.now), resetRequired: false });
      return undefined;
    },
  },

  UpdateAccountPasswordPolicy: {
    async run(input, op) {
      const policy: PasswordPolicy = {
        ...POLICY_DEFAULTS,
        ...(input.MinimumPasswordLength !== undefined && { minimumPasswordLength: input.MinimumPasswordLength }),
        requireSymbols: input.RequireSymbols === true,
        requireNumbers: input.RequireNumbers === true,
        requireUppercaseCharacters: input.RequireUppercaseCharacters === true,
        requireLowercaseCharacters: input.RequireLowercaseCharacters === true,
        allowUsersToChangePassword: input.AllowUsersToChangePassword === true,
        maxPasswordAge: input.MaxPasswordAge ?? null,
        passwordReusePrevention: input.PasswordReusePrevention ?? null,
        hardExpiry: input.HardExpiry === true,
      };
      await op.deps.store.accounts.setPasswordPolicy(op.caller.accountId, policy);
      return undefined;
    },
  },

  GetAccountPasswordPolicy: {
    // Authorised in run: AllowUsersToChangePassword also lets every IAM user read the policy.
    public: true,
    async run(_input, op) {
      await authorizeOwnPassword(op, 'iam:GetAccountPasswordPolicy', '*');
      const p = (await op.deps.store.accounts.get(op.caller.accountId))?.passwordPolicy;
      if (!p) throw new NoSuchEntity(`The Password Policy with domain name ${op.caller.accountId} cannot be found.`);
      return {
        PasswordPolicy: {
          MinimumPasswordLength: p.minimumPasswordLength,
          RequireSymbols: p.requireSymbols,
          RequireNumbers: p.requireNumbers,
          RequireUppercaseCharacters: p.requireUppercaseCharacters,
          RequireLowercaseCharacters: p.requireLowercaseCharacters,
          AllowUsersToChangePassword: p.allowUsersToChangePassword,
          ExpirePasswords: p.maxPasswordAge !== null,
          MaxPasswordAge: p.maxPasswordAge ?? undefined,
          PasswordReusePrevention: p.passwordReusePrevention ?? undefined,
          HardExpiry: p.hardExpiry,
        },
      };
    },
  },

  DeleteAccountPasswordPolicy: {
    async run(_input, op) {
      const account = await op.deps.store.accounts.get(op.caller.accountId);
      if (!account?.passwordPolicy) throw new NoSuchEntity(`The account policy with name PasswordPolicy cannot be found.`);
      await op.deps.store.accounts.setPasswordPolicy(op.caller.accountId, null);
      return undefined;
    },
  },
} satisfies IamActionTable;
