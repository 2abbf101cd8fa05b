#!/usr/bin/env -S node --max-semi-space-size=64
// The `gatehouse` command. `login`, `credentials` and `logout` run the one-file helper (no build
// needed, the same file the portal serves at /portal/cli/gatehouse.mjs); everything else runs the
// compiled CLI (built by `npm install` / `npm run build`).
const sub = process.argv[2];
if (sub === 'login' || sub === 'credentials' || sub === 'logout') {
  const { main } = await import(new URL('../src/commands/standalone/gatehouse.mjs', import.meta.url).href);
  process.exitCode = await main(process.argv.slice(2));
} else {
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
}
