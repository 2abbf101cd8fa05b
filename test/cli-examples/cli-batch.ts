/**
 * The AWS CLI, many commands through one process: test/cli-examples/aws-batch.py runs each
 * command with awscli.clidriver, the entry point of /usr/bin/aws, under /usr/bin/python3 (the
 * interpreter /usr/bin/aws names), so the suite pays the CLI's start-up once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
  json: any;
}

export interface CliRequest {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Write stdout to this file (a `> file` redirection in the example). */
  stdoutFile?: string;
}

export class CliBatch {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(r: CliRun) => void> = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor() {
    const script = fileURLToPath(new URL('./aws-batch.py', import.meta.url));
    this.child = spawn('/usr/bin/python3', [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.resume();
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const r = JSON.parse(line) as Omit<CliRun, 'json'>;
      let json: unknown;
      try {
        json = r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
      } catch {
        json = undefined;
      }
      this.waiting.shift()?.({ ...r, json });
    });
  }

  /** Runs one command (one at a time, in order). */
  run(req: CliRequest): Promise<CliRun> {
    const next = this.chain.then(
      () =>
        new Promise<CliRun>((resolve) => {
          this.waiting.push(resolve);
          this.child.stdin.write(`${JSON.stringify({ argv: req.argv, env: req.env, cwd: req.cwd, stdout_file: req.stdoutFile })}\n`);
        }),
    );
    this.chain = next;
    return next;
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
