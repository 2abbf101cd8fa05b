/**
 * The `gatehouse` command (bin/gatehouse.js runs the compiled dist/cli.js).
 * - `serve [--config FILE]`: the server, as `npm start`
 * - `bootstrap [--config FILE] [--json]`: the account if none, then a new root key, printed once
 * - `login --portal URL [--no-browser]`: signs the CLI in (RFC 8628 device grant), stores the grant
 * - `credentials --portal URL --permission-set SET [--user NAME [--password-stdin]]`: a
 *   credential_process helper (no prompt with a grant from `login`)
 * - `logout --portal URL`: forgets the stored grant and cached credentials
 *   (these three run the one-file helper the portal serves: commands/standalone/gatehouse.mjs)
 * - `policy simulate [--json] [--time-zone ZONE]`: one request (JSON on stdin) through the
 *   policy engine, offline. Exit 0 for any decision, 2 for invalid input (`Code: message` on stderr).
 * Usage errors also exit 2; `--help` exits 0.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isTimeZone } from './config/index.js';
import { isEntryPoint } from './entry-point.js';
import { simulate } from './policy/simulate.js';
import type { Explanation } from './policy/types.js';
import { ServiceError } from './shared/errors.js';

/** The streams the CLI talks to; tests substitute their own. */
export interface CliIo {
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean };
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Default process.env (the helper commands read GATEHOUSE_HOME and HOME). */
  env?: Record<string, string | undefined>;
}

const MAX_INPUT_BYTES = 10 * 1024 * 1024;

async function readAll(stdin: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_INPUT_BYTES) throw new CliInputError(`InvalidInput: the request is larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Bad input to a command: printed as is, exit 2. */
class CliInputError extends Error {}

function humanReport(result: Explanation): string {
  const lines = [`Decision: ${result.decision}`, `Reason:   ${result.reason}`];
  if (result.matchedStatements.length === 0) lines.push('Matched statements: none');
  else lines.push('Matched statements:');
  for (const s of result.matchedStatements) {
    const sid = s.sid === undefined ? '' : ` (Sid ${JSON.stringify(s.sid)})`;
    lines.push(`  ${s.effect.padEnd(5)} ${s.policy} [${s.policyType}] Statement[${s.statementIndex}]${sid}`);
  }
  return `${lines.join('\n')}\n`;
}

async function policySimulate(io: CliIo, opts: { json?: boolean; timeZone: string }): Promise<number> {
  if (!isTimeZone(opts.timeZone)) {
    io.stderr.write(`InvalidInput: --time-zone: expected an IANA time zone such as "UTC" or "Europe/Paris"\n`);
    return 2;
  }
  if (io.stdin.isTTY) io.stderr.write('Reading the request JSON from stdin (end with Ctrl-D)...\n');
  try {
    const result = simulate(await readAll(io.stdin), { timeZone: opts.timeZone });
    if (opts.json) {
      const matchedStatements = result.matchedStatements.map(({ policy, policyType, statementIndex, sid, effect }) =>
        sid === undefined ? { policy, policyType, statementIndex, effect } : { policy, policyType, statementIndex, sid, effect },
      );
      io.stdout.write(`${JSON.stringify({ decision: result.decision, matchedStatements })}\n`);
    } else {
      io.stdout.write(humanReport(result));
    }
    return 0;
  } catch (err) {
    if (err instanceof CliInputError) io.stderr.write(`${err.message}\n`);
    else if (err instanceof ServiceError && err.expose) io.stderr.write(`${err.code}: ${err.message}\n`);
    else throw err;
    return 2;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * Runs the CLI. Resolves to the exit code, or undefined when a long-running command
 * (`serve`) owns the process from now on.
 */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number | undefined> {
  const sub = argv[2];
  if (sub === 'login' || sub === 'credentials' || sub === 'logout') {
    // Exactly the code of the one-file helper the portal serves, arguments and all.
    const { runHelper } = await import('./commands/credentials.js');
    return runHelper(argv.slice(2), { stdout: io.stdout, stderr: io.stderr, stdin: io.stdin, env: io.env ?? process.env });
  }
  let exitCode: number | undefined;
  const program = new Command('gatehouse')
    .description('Gatehouse: identity federation with an AWS IAM/STS-compatible API')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  program
    .command('serve')
    .description('run the server (same as npm start)')
    .option('--config <file>', 'YAML config file (default: $GATEHOUSE_CONFIG, else embedded defaults)')
    .action(async (opts: { config?: string }) => {
      // Loaded on demand: the server's dependencies (express, pino, ...) slow down other commands.
      const { runServer } = await import('./main.js');
      await runServer({ configFile: opts.config });
    });

  program
    .command('bootstrap')
    .description('create the account if there is none, then a new root access key (printed once)')
    .option('--config <file>', 'YAML config file (default: $GATEHOUSE_CONFIG, else embedded defaults)')
    .option('--json', 'print {"AccountId","AccessKeyId","SecretAccessKey"} as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { bootstrap } = await import('./commands/bootstrap.js');
      const { created, ...key } = await bootstrap({ configFile: opts.config });
      if (opts.json) io.stdout.write(`${JSON.stringify(key)}\n`);
      else io.stdout.write(`${created ? 'Created' : 'Using'} account ${key.AccountId}\nRoot access key: ${key.AccessKeyId}\nSecret (shown once): ${key.SecretAccessKey}\n`);
      exitCode = 0;
    });

  // The helper commands: listed here for --help; run by runHelper (see the top of runCli).
  program.command('login').description('sign the command line in through the portal (OAuth device grant): --portal URL [--no-browser] [--insecure-http]');
  program.command('credentials').description('credential_process helper: --portal URL --permission-set SET [--user NAME [--password-stdin]] [--insecure-http]');
  program.command('logout').description('forget the stored CLI grant and cached credentials: --portal URL');

  const audit = program.command('audit').description('audit trail tools');
  audit
    .command('verify')
    .description('check the audit hash chain; names the first broken record (exit 0 when intact, 1 when broken)')
    .option('--config <file>', 'YAML config file (default: $GATEHOUSE_CONFIG, else embedded defaults)')
    .option('--from <time>', 'start at the first event at or after this time (ISO 8601 or epoch ms)')
    .action(async (opts: { config?: string; from?: string }) => {
      const { auditVerify } = await import('./commands/audit.js');
      const r = await auditVerify({ configFile: opts.config, from: opts.from });
      (r.code === 0 ? io.stdout : io.stderr).write(r.text);
      exitCode = r.code;
    });

  const policy = program.command('policy').description('policy tools');
  policy
    .command('simulate')
    .description('evaluate one request read as JSON from stdin, offline')
    .option('--json', 'print {"decision","matchedStatements"} as JSON')
    .option('--time-zone <zone>', 'IANA zone for gatehouse:MinuteOfDay/DayOfWeek', 'UTC')
    .action(async (opts: { json?: boolean; timeZone: string }) => {
      exitCode = await policySimulate(io, opts);
    });

  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return exitCode;
}

if (isEntryPoint(import.meta.url)) {
  const code = await runCli(process.argv);
  if (code !== undefined) process.exitCode = code;
}
