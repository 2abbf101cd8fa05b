/**
 * Test helpers: a config from the embedded defaults, and a logger whose lines can be read back.
 */
import { Writable } from 'node:stream';
import { loadConfig, type Config, type Env } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';

/** The embedded-defaults config, with the given environment. */
export function defaultConfig(env: Env = {}): Config {
  return loadConfig({ env });
}

/** A logger at debug level that keeps every line in `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}
