/**
 * Sinks: the stored records again, as JSON lines, for a SIEM (`audit.sink`).
 *
 * - `stdout`: one line per event on standard output.
 * - `file`: appended to `audit.file` (mode 0600); when the file reaches `audit.maxFileBytes`
 *   it is renamed to `<file>.1` (the previous `.1` becomes `.2`, … up to `audit.maxFiles`,
 *   the oldest removed) and a new file is started.
 * Lines are written synchronously after the events are stored, in store order.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface Sink {
  write(record: string): void;
  close(): Promise<void>;
}

export const stdoutSink = (out: { write(text: string): unknown } = process.stdout): Sink => ({
  write: (record) => void out.write(record + '\n'),
  close: async () => {},
});

export class FileSink implements Sink {
  #fd: number;
  #size: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly maxFiles: number,
  ) {
    this.#fd = openSync(path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  write(record: string): void {
    const line = Buffer.from(record + '\n', 'utf8');
    if (this.#size > 0 && this.#size + line.length > this.maxBytes) this.#rotate();
    writeSync(this.#fd, line);
    this.#size += line.length;
  }

  #rotate(): void {
    closeSync(this.#fd);
    rmSync(`${this.path}.${this.maxFiles}`, { force: true });
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    }
    renameSync(this.path, `${this.path}.1`);
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#size = 0;
  }

  async close(): Promise<void> {
    closeSync(this.#fd);
  }
}
