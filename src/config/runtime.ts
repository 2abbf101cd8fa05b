/**
 * `policy:` and `log:` — process-wide settings for the policy engine and the logger.
 */
import { z } from 'zod';

/** Whether `zone` is an IANA time zone this Node's ICU knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const policySchema = z
  .strictObject({
    /**
     * IANA time zone in which the `gatehouse:MinuteOfDay` and `gatehouse:DayOfWeek` condition keys
     * are computed. Default `UTC`. Example: `Europe/Paris`. Recommendation: the zone your
     * working-hours policies are written for; it follows daylight saving.
     */
    timeZone: z
      .string()
      .refine(isTimeZone, 'expected an IANA time zone such as "UTC" or "Europe/Paris"')
      .transform((zone) => new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone)
      .default('UTC'),
  })
  .prefault({});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const logSchema = z
  .strictObject({
    /**
     * Minimum level written (JSON lines on stdout). Default `info`. Secrets are redacted at every
     * level. Recommendation: `info` in production, `debug` while diagnosing.
     */
    level: z.enum(LOG_LEVELS).default('info'),
  })
  .prefault({});

export type PolicyConfig = z.output<typeof policySchema>;
export type LogConfig = z.output<typeof logSchema>;
