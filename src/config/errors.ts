/**
 * The one error a bad configuration produces. Its message names every offending key path and
 * what is wrong (`config: server.listen: expected host:port`), never the offending value, since
 * values may be secrets.
 */
import type { z } from 'zod';
import { ServiceError } from '../shared/errors.js';

export class ConfigError extends ServiceError {
  readonly code = 'InvalidConfiguration';
  readonly status = 500;
}

/** `server.listen`, `permissionSets[0].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Lower-cases the first letter of zod's messages ("Invalid input" → "invalid input"). */
function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

/**
 * One line per issue: `config: <path>[ (from ENV)]: <problem>`.
 * @param sources key paths whose value came from an environment variable, e.g. `store.url → DATABASE_URL`
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], sources: ReadonlyMap<string, string> = new Map()): string {
  return issues
    .map((issue) => {
      const path = formatPath(issue.path);
      const from = sources.get(path);
      const where = path ? `${path}${from ? ` (from ${from})` : ''}: ` : '';
      return `config: ${where}${describe(issue)}`;
    })
    .join('\n');
}
