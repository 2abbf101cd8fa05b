#!/usr/bin/env node
// The `gatehouse` command: runs the compiled CLI (built by `npm install` / `npm run build`).
const cli = new URL('../dist/cli.js', import.meta.url);
let runCli;
try {
  ({ runCli } = await import(cli.href));
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('gatehouse: not built yet; run `npm run build` (or `npm install`) first\n');
    process.exit(1);
  }
  throw err;
}
const code = await runCli(process.argv);
if (code !== undefined) process.exitCode = code;
