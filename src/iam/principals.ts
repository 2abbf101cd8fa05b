/**
 * The one place principal ARNs and ids are built:
 * - a federated user (GetFederationToken): `arn:aws:sts::ACCOUNT:federated-user/NAME`, id `ACCOUNT:NAME`;
 * - an assumed-role session (AssumeRole): `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, id `ROLEID:SESSION`;
 * - a role, by its path (what a role session's aws:PrincipalArn and trust policies name);
 * - the session principal of a caller: the role for a role session, else the caller itself.
 * Imports: shared only.
 */
import { iamArn, stsArn } from '../shared/arn.js';

export const federatedUserArn = (account: string, name: string): string => stsArn(account, `federated-user/${name}`);
export const federatedUserId = (account: string, name: string): string => `${account}:${name}`;

export const assumedRoleArn = (account: string, roleName: string, sessionName: string): string => stsArn(account, `assumed-role/${roleName}/${sessionName}`);
export const assumedRoleId = (roleId: string, sessionName: string): string => `${roleId}:${sessionName}`;

/** A role's ARN, with its path. */
export const roleArnOf = (role: { accountId: string; path: string; name: string }): string => iamArn(role.accountId, 'role', role.path, role.name);

/** The principal of temporary credentials by their kind: the role session, or the federated user. */
export function temporaryPrincipalArn(claims: { kind: string; account: string; name?: string | undefined; roleName?: string | undefined }): string {
  return claims.kind === 'role' ? assumedRoleArn(claims.account, claims.roleName ?? '', claims.name ?? '') : federatedUserArn(claims.account, claims.name ?? '');
}

/** aws:PrincipalArn: a role session's role (with its path), any other caller itself. */
export function sessionPrincipalArn(caller: { accountId: string; arn: string; role?: { path: string; name: string } | undefined }): string {
  return caller.role ? roleArnOf({ accountId: caller.accountId, path: caller.role.path, name: caller.role.name }) : caller.arn;
}
