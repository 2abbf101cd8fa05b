/**
 * Store records as the output structures of AWS's IAM model.
 */
import type { GroupRecord, ManagedPolicyRecord, RoleRecord, Tag, UserRecord } from '../../store/types.js';
import { groupArn, policyArn, roleArn, userArn } from '../arns.js';
import { encodeDocument } from './common.js';

const tags = (list: Tag[]) => (list.length > 0 ? list.map((t) => ({ Key: t.key, Value: t.value })) : undefined);
const boundary = (arn: string | null) => (arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined);

export function userShape(u: UserRecord, full = false): Record<string, unknown> {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: userArn(u.accountId, u.path, u.name),
    CreateDate: u.createdAt,
    PasswordLastUsed: u.passwordLastUsed ?? undefined,
    PermissionsBoundary: full ? boundary(u.permissionsBoundary) : undefined,
    Tags: full ? tags(u.tags) : undefined,
  };
}

export function groupShape(g: GroupRecord): Record<string, unknown> {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: groupArn(g.accountId, g.path, g.name), CreateDate: g.createdAt };
}

export function roleShape(r: RoleRecord, full = false): Record<string, unknown> {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: roleArn(r.accountId, r.path, r.name),
    CreateDate: r.createdAt,
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicy),
    Description: r.description ?? undefined,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: full ? boundary(r.permissionsBoundary) : undefined,
    Tags: full ? tags(r.tags) : undefined,
  };
}

/** `boundaryUsage`: how many users and roles use it as their permissions boundary. */
export function policyShape(p: ManagedPolicyRecord, boundaryUsage = 0): Record<string, unknown> {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: policyArn(p.accountId, p.path, p.name),
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: boundaryUsage,
    IsAttachable: true,
    Description: p.description ?? undefined,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
  };
}
