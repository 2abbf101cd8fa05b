/**
 * The two URLs the federation endpoint takes from the caller, checked before use.
 *
 * Destination (where login redirects):
 * - an absolute http(s) URL (no `//evil`, `/\evil`, `javascript:`, relative paths);
 * - no user info (`https://console@evil`), no control characters, CR/LF or backslashes;
 * - no encoded slash or backslash (`%2F`, `%5C`) and no `;` path parameters (`/..;/`);
 * - after WHATWG normalisation (scheme/host case, dot segments, default port), the
 *   same origin as `federation.consoleUrl` and a path under its path.
 * The redirect always uses the normalised URL, never the raw input.
 *
 * Issuer (where the timeout page sends the user back):
 * - the same checks, and it must lie under one of `federation.trustedIssuers`.
 */

const UNSAFE = /[\u0000-\u001f\u007f\\]|%2f|%5c|%00|;/i;

function normalise(raw: string): URL | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 2048 || UNSAFE.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  if (!/^https?:\/\//i.test(raw)) return undefined;
  return url;
}

/** Whether `url` lies under `base` (same origin, path at or below base's path). */
function under(url: URL, base: URL): boolean {
  if (url.origin !== base.origin) return false;
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(basePath);
}

/** The normalised Destination, or undefined when it is not under the console URL. */
export function checkDestination(raw: string, consoleUrl: string): string | undefined {
  const url = normalise(raw);
  return url && under(url, new URL(consoleUrl)) ? url.href : undefined;
}

/** The normalised Issuer, or undefined when it is not under a trusted issuer. */
export function checkIssuer(raw: string, trustedIssuers: readonly string[]): string | undefined {
  const url = normalise(raw);
  return url && trustedIssuers.some((t) => under(url, new URL(t))) ? url.href : undefined;
}
