/**
 * The listener and its graceful shutdown. `close()`:
 * - fails readiness first (the draining flag), so a load balancer stops routing here
 * - stops accepting connections and closes idle keep-alive ones
 * - lets in-flight requests finish, answering them with `Connection: close`
 * - after `graceMs`, cuts whatever is still open; resolves when the server is fully closed
 * Slow clients are bounded: headers within 10 s, a whole request within 30 s.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logger.js';
import type { Readiness } from './readiness.js';

export interface ListenOptions {
  host: string;
  port: number;
  graceMs: number;
  readiness: Readiness;
  logger: Logger;
}

export interface Listener {
  /** The address actually bound (port 0 resolved). */
  address: AddressInfo;
  server: Server;
  /** Graceful shutdown; idempotent. */
  close(): Promise<void>;
}

/**
 * Binds, then asks `handlerFor` for the request handler, so the handler can know the port the OS
 * chose for port 0. No request is read before the handler is attached.
 */
export async function listen(handlerFor: (address: AddressInfo) => RequestListener, options: ListenOptions): Promise<Listener> {
  const server = createServer();
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  server.on('request', handlerFor(address));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve) => {
      options.readiness.startDraining();
      server.close(() => resolve());
      // Connections that finish their request while draining become idle: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => {
        options.logger.warn({ graceMs: options.graceMs }, 'shutdown grace period over; closing open connections');
        server.closeAllConnections();
      }, options.graceMs);
      server.closeIdleConnections();
      server.once('close', () => {
        clearInterval(sweep);
        clearTimeout(deadline);
      });
    }));

  return { address, server, close };
}
