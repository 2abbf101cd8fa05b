/**
 * Whether a module is the script node was started with (`node dist/main.js`,
 * `node --import tsx src/cli.ts`), so it runs itself only then and stays importable by tests.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(resolve(script));
  } catch {
    return false;
  }
}
