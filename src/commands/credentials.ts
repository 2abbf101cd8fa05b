/**
 * `gatehouse credentials --portal URL --permission-set SET [--user NAME [--password-stdin]]`: the
 * credential_process helper. The code is the one-file helper the portal serves
 * (standalone/gatehouse.mjs, plain JavaScript with `node:` imports only), loaded from the package
 * at run time, so the in-repo command and the downloaded file cannot drift. See that file for
 * the rules (no prompt with a grant, cache until 5 minutes before expiry, /dev/tty or
 * --password-stdin only, http:// only on loopback).
 */
import type { HelperIo } from './standalone/gatehouse.mjs';

/** The helper, from src/commands/standalone/ (for dist/ and tsx alike: the file is not compiled). */
export const HELPER_URL = new URL('../../src/commands/standalone/gatehouse.mjs', import.meta.url);

/** Runs one helper command (`['credentials', '--portal', …]`); resolves to the exit status. */
export async function runHelper(args: readonly string[], io: HelperIo): Promise<number> {
  const helper = (await import(HELPER_URL.href)) as typeof import('./standalone/gatehouse.mjs');
  return helper.main(args, io);
}
