/**
 * `portal:` — the employee portal's session lifetimes and sign-in rate limits.
 */
import { z } from 'zod';

export const portalSchema = z
  .strictObject({
    /** Minutes without a request after which a portal session ends. Default `30`. */
    idleTimeoutMinutes: z.number().int().min(1).max(1440).default(30),
    /** Hours after sign-in at which a portal session ends, however active. Default `8`. */
    absoluteTimeoutHours: z.number().int().min(1).max(24).default(8),
    /**
     * Failed sign-ins allowed per user name and client IP per 15 minutes; then that pair gets
     * 429 until the window ends (the person can still sign in from elsewhere). Default `5`.
     * Recommendation: below your directory's lockout threshold (AD: typically 5–10).
     */
    failuresPerAccount: z.number().int().min(1).max(100).default(5),
    /**
     * Failed sign-ins per user name from all IPs per 15 minutes past which that name's attempts
     * are slowed to one per `slowDownSeconds` (429 with Retry-After for the rest), never locked.
     * Default `20`. The directory's own lockout policy stays the authority.
     */
    accountCeiling: z.number().int().min(1).max(10_000).default(20),
    /** While a user name is over `accountCeiling`: one sign-in attempt per this many seconds. Default `30`. */
    slowDownSeconds: z.number().int().min(1).max(900).default(30),
    /** Sign-in attempts allowed per client IP per 15 minutes before 429. Default `30`. */
    attemptsPerIp: z.number().int().min(1).max(10_000).default(30),
    /**
     * Hours a CLI grant (`gatehouse login`, the RFC 8628 device grant) lives before the person
     * must sign the CLI in again. Default `8` (the portal's absolute session); at most `168`
     * (a week). Every use re-reads the person's groups, so a removed membership ends it at once;
     * the person can revoke it on the portal. Recommendation: the length of a working day.
     */
    cliGrantHours: z.number().int().min(1).max(168).default(8),
    /**
     * The region the CLI credentials page sets (`AWS_REGION`, `AWS_DEFAULT_REGION`, `region =`).
     * Gatehouse answers in any region, but the AWS CLI and SDKs refuse to sign without one.
     * Default `"us-east-1"`. Example: `"eu-west-1"`. Recommendation: keep the default unless
     * your people's tools expect another region.
     */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be a region name such as us-east-1').default('us-east-1'),
  })
  .prefault({});

export type PortalConfig = z.output<typeof portalSchema>;
