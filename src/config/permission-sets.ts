/**
 * `permissionSets:` — what a directory user may turn into: each set maps directory groups to
 * one session policy and a session length. A user sees the sets one of their groups maps to.
 */
import { z } from 'zod';
import { IAM_NAME } from './federation.js';

const permissionSetSchema = z
  .strictObject({
    /** Shown in the portal and sent as `permissionSet`. Example: `Developer`. Unique (case-insensitively). */
    name: z.string().regex(IAM_NAME, 'expected [\\w+=,.@-], 1-64 characters'),
    /** Optional one-line description shown in the portal. */
    description: z.string().max(256).optional(),
    /**
     * Directory groups granting the set, as full DNs or bare CNs.
     * Example: `["cn=developers,ou=groups,dc=example,dc=com"]` or `["developers"]`.
     */
    groups: z.array(z.string().min(1)).min(1),
    /**
     * How credentials are minted. `federation` (default): GetFederationToken as the broker, with
     * the set's session policy (`policy`, `policyFile` and/or `policyArns`); the session can do
     * what both the broker and the session policy allow (federated sessions cannot call IAM, as
     * in AWS). `role`: AssumeRole of `roleArn` by the broker; the session has the role's powers.
     */
    via: z.enum(['federation', 'role']).default('federation'),
    /**
     * Path to the session policy JSON, relative to the working directory (checked at start-up).
     * Example: `config/policies/developer.json`. At most one of `policyFile` and `policy`.
     */
    policyFile: z.string().min(1).optional(),
    /** The session policy inline, as a YAML/JSON object. At most one of `policyFile` and `policy`. */
    policy: z.record(z.string(), z.unknown()).optional(),
    /** Managed policy ARNs added to the session policy (at most 10). */
    policyArns: z.array(z.string().min(20)).max(10).default([]),
    /** For `via: role`: the role the broker assumes. It must exist and trust the broker (checked at start-up). */
    roleArn: z.string().min(20).optional(),
    /**
     * Credential (and so console session) length in hours: 1–36 for `federation`, 1–12 for
     * `role` (and not above the role's MaxSessionDuration). Default `1`.
     * Recommendation: 1 for administrative sets, up to 8–12 for day-to-day work.
     */
    sessionHours: z.number().int().min(1).max(36).default(1),
  })
  .superRefine((s, ctx) => {
    if (s.policyFile !== undefined && s.policy !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['policy'], message: 'expected at most one of policyFile and policy' });
    }
    if (s.via === 'role') {
      if (s.roleArn === undefined) ctx.addIssue({ code: 'custom', path: ['roleArn'], message: 'required when via is role' });
      if (s.sessionHours > 12) ctx.addIssue({ code: 'custom', path: ['sessionHours'], message: 'at most 12 for via: role' });
    } else {
      if (s.roleArn !== undefined) ctx.addIssue({ code: 'custom', path: ['roleArn'], message: 'only for via: role' });
      if (s.policyFile === undefined && s.policy === undefined && s.policyArns.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['policy'], message: 'a federation set needs policy, policyFile or policyArns (without one the session can do nothing)' });
      }
    }
  });

export const permissionSetsSchema = z
  .array(permissionSetSchema)
  .superRefine((sets, ctx) => {
    const seen = new Set<string>();
    sets.forEach((s, i) => {
      const key = s.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'duplicate permission set name' });
      seen.add(key);
    });
  })
  /** Default: none; the portal then offers nothing to sign in to. */
  .default([]);

export type PermissionSetConfig = z.output<typeof permissionSetSchema>;
