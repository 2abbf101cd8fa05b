/**
 * createLdapStrategy: a passport-ldapauth `Strategy` (name `ldapauth`) for the portal, configured
 * with the connector's ldapauth-fork options, whose `authenticate` goes through the connector.
 *
 * - credentials come from `req.body` only (own `username`/`password` properties), never from
 *   `req.query`: passport-ldapauth's default lookup falls back to the query string;
 * - `handleErrorsAsFailures` is false: an unavailable directory is `this.error(DirectoryUnavailable)`
 *   (the portal answers 503), never a failed login;
 * - stock passport-ldapauth `authenticate` is replaced because it has no deadline, lets `" "` or
 *   an array through as a password, reports a refused *service* bind as a wrong password, and
 *   races StartTLS; the connector does each of these right (ldap-connector.ts);
 * - a missing or non-string field fails with 400 "Missing credentials"; every other refusal
 *   fails with 401 and one generic message; success hands passport the `DirectoryUser`.
 */
import type { IncomingMessage } from 'node:http';
import LdapStrategy from 'passport-ldapauth';
import type { LdapConnector } from './ldap-connector.js';
import type { DirectoryUser } from './types.js';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid username or password';

/** `{ username, password }` from the parsed body's own properties; anything else is ignored. */
export function bodyCredentials(req: IncomingMessage): { username?: unknown; password?: unknown } {
  const body: unknown = (req as IncomingMessage & { body?: unknown }).body;
  if (body === null || typeof body !== 'object') return {};
  const own = (key: string) => (Object.hasOwn(body, key) ? (body as Record<string, unknown>)[key] : undefined);
  return { username: own('username'), password: own('password') };
}

class ConnectorLdapStrategy extends LdapStrategy {
  // Set by passport on the per-request copy of the strategy.
  declare success: (user: DirectoryUser) => void;
  declare fail: (challenge: { message: string }, status: number) => void;
  declare error: (err: Error) => void;

  constructor(private readonly connector: LdapConnector) {
    super({
      server: connector.serverOptions(),
      credentialsLookup: bodyCredentials as LdapStrategy.CredentialsLookup,
      handleErrorsAsFailures: false,
    });
  }

  override authenticate(req: IncomingMessage): void {
    const { username, password } = bodyCredentials(req);
    const malformed = typeof username !== 'string' || typeof password !== 'string';
    this.connector.login(username, password).then(
      (result) => {
        if (result.ok) return this.success(result.user);
        if (result.reason === 'unavailable') return this.error(result.error);
        return this.fail({ message: malformed ? 'Missing credentials' : INVALID_CREDENTIALS_MESSAGE }, malformed ? 400 : 401);
      },
      (err: unknown) => this.error(err instanceof Error ? err : new Error(String(err))),
    );
  }
}

/** A passport strategy named `ldapauth` that signs in through `connector`. */
export function createLdapStrategy(connector: LdapConnector): LdapStrategy {
  return new ConnectorLdapStrategy(connector);
}
