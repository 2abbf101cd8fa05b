/**
 * `federation:` — the broker identity the portal acts as, and which URLs the federation
 * endpoint accepts as the console (`Destination`) and as `Issuer`.
 */
import { z } from 'zod';
import { httpUrl } from './server.js';

/** IAM user names: ASCII `[\w+=,.@-]`, 1–64 characters. */
export const IAM_NAME = /^[\w+=,.@-]{1,64}$/;

export const federationSchema = z
  .strictObject({
    /**
     * IAM user the portal calls GetFederationToken as; created by `gatehouse bootstrap`.
     * Default `gatehouse-broker`. Recommendation: give it only the union of the permission sets'
     * policies; removing its permissions revokes every credential it issued.
     */
    broker: z.string().regex(IAM_NAME, 'expected an IAM user name ([\\w+=,.@-], 1-64 characters)').default('gatehouse-broker'),
    /**
     * The console; `login` redirects only to URLs under it (same origin, path prefix).
     * Default `<server.publicUrl>/console/`. Example: `https://gatehouse.example.com/console/`.
     */
    consoleUrl: httpUrl.transform((v) => (v.endsWith('/') ? v : `${v}/`)).optional(),
    /**
     * `Issuer` values accepted at `login` (compared exactly, after URL normalisation); the
     * session-timeout page links back to the issuer.
     * Default `[<server.publicUrl>/portal/]`. Recommendation: list only portals you run.
     */
    trustedIssuers: z.array(httpUrl).optional(),
    /**
     * Days the browser keeps the way back to the Issuer of its last federation sign-in (a signed,
     * HttpOnly cookie), so the console's 401 page can link to it after the session, its cookie,
     * or the server's record of it are gone. Only an Issuer still in `trustedIssuers` is linked.
     * Default `30`; 1–400 (browsers cap cookies at 400 days). Recommendation: the default.
     */
    issuerCookieDays: z.number().int().min(1).max(400).default(30),
  })
  .prefault({});

export type FederationInput = z.output<typeof federationSchema>;
