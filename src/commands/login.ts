/**
 * `gatehouse login --portal URL [--no-browser] [--insecure-http]`: signs the command line in with
 * the OAuth 2.0 device grant (RFC 8628) and stores the CLI grant in ~/.gatehouse/ (0600;
 * GATEHOUSE_HOME overrides). Runs the one-file helper (standalone/gatehouse.mjs), like
 * `gatehouse credentials`.
 */
import type { HelperIo } from './standalone/gatehouse.mjs';
import { runHelper } from './credentials.js';

export function login(args: readonly string[], io: HelperIo): Promise<number> {
  return runHelper(['login', ...args], io);
}
