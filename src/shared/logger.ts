/**
 * Structured logging (pino, one JSON line per event). Secrets are redacted by
 * path; free text from callers is JSON-encoded by pino, so CR/LF and escape
 * sequences cannot forge lines.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-amz-security-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secretAccessKey',
  '*.SecretAccessKey',
  '*.sessionToken',
  '*.SessionToken',
  '*.SigninToken',
  '*.bindCredentials',
  '*.device_code',
  '*.access_token',
  '*.refresh_token',
  '*.grant',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, options.destination as never);
}

/** A logger that discards everything (tests, CLI). */
export const silentLogger: Logger = pino({ level: 'silent' });
