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
     * Path to the session policy JSON, relative to the working directory (checked at start-up).
     * Example: `config/policies/developer.json`. Exactly one of `policyFile` and `policy`.
     */
    policyFile: z.string().min(1).optional(),
    /** The session policy inline, as a YAML/JSON object. Exactly one of `policyFile` and `policy`. */
    policy: z.record(z.string(), z.unknown()).optional(),
    /**
     * Session length in hours, 1–12 (the console session never outlives it). Default `1`.
     * Recommendation: 1 for administrative sets, up to 8–12 for day-to-day work.
     */
    sessionHours: z.number().int().min(1).max(12).default(1),
  })
  .superRefine((s, ctx) => {
    if ((s.policyFile === undefined) === (s.policy === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['policy'], message: 'expected exactly one of policyFile and policy' });
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
