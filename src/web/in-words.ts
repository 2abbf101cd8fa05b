/**
 * Durations in words, for pages that tell people when something happens: "in 59 minutes" on
 * the CLI credentials page, "Try again in 14 minutes." on a 429 page. views/static/gatehouse.js
 * words the live countdown the same way, so the page reads the same before and after script.
 * - Rounded down to the unit shown (a credential never looks longer-lived than it is), except
 *   a wait (`roundUp`), which is never shown shorter than it is.
 * - Under a minute: seconds; under an hour: minutes; otherwise hours and minutes.
 */

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** `ms` in words: "45 seconds", "1 minute", "59 minutes", "2 hours", "1 hour and 5 minutes". */
export function durationInWords(ms: number, options: { roundUp?: boolean } = {}): string {
  const round = options.roundUp ? Math.ceil : Math.floor;
  const seconds = Math.max(0, round(ms / 1000));
  if (seconds < 60) return plural(seconds, 'second');
  const minutes = round(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} and ${plural(rest, 'minute')}`;
}

/** When `at` (epoch ms) is, seen from `now`: "in 59 minutes", "in less than a minute", "expired". */
export function relativeInWords(at: number, now: number): string {
  const ms = at - now;
  if (ms <= 0) return 'expired';
  if (ms < 60_000) return 'in less than a minute';
  return `in ${durationInWords(ms)}`;
}

/** A 429 page's "when": from a Retry-After value in seconds ("Try again in 14 minutes."). */
export function retryAfterInWords(seconds: number): string {
  return `Try again in ${durationInWords(Math.max(1, seconds) * 1000, { roundUp: true })}.`;
}
