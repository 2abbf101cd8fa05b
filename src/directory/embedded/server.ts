/**
 * The demo directory's LDAP listener: ldapjs 3's `createServer` over a `DemoTree`.
 *
 * - it listens on 127.0.0.1 only, on an ephemeral port;
 * - bind: a simple bind succeeds only with the entry's password (compared in constant time);
 *   an unauthenticated bind (a DN with an empty password) is invalidCredentials;
 * - search: only the service account may search (anonymous and users get
 *   insufficientAccessRights); an unknown base is noSuchObject;
 * - results carry the requested attributes (operational `memberOf` only when asked by name),
 *   never a password;
 * - `close()` ends open connections, then the listener.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import { normalizeDn } from '../dn.js';
import { ldapjs, type LdapServer } from '../ldapjs.js';
import type { DemoTree } from './tree.js';

export interface DemoServerOptions {
  tree: DemoTree;
  /** normalised DN → password */
  passwords: Map<string, string>;
  suffix: string;
  serviceDn: string;
  logger: Logger;
}

const SCOPES: Record<string, 'base' | 'one' | 'sub'> = { base: 'base', single: 'one', one: 'one', subtree: 'sub', sub: 'sub' };

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function passwordMatches(expected: string | undefined, given: string): boolean {
  const ok = timingSafeEqual(digest(expected ?? '\0no-such-entry'), digest(given));
  return expected !== undefined && given !== '' && ok;
}

export function listenDemoServer(options: DemoServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const { tree, passwords, suffix, logger } = options;
  const serviceKey = normalizeDn(options.serviceDn);
  const server: LdapServer = ldapjs.createServer();
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('error', (err) => logger.warn({ event: 'demo-directory.error', err }, 'demo directory error'));

  server.bind(suffix, (req, res, next) => {
    const dn = req.dn.toString();
    if (!passwordMatches(passwords.get(normalizeDn(dn)), req.credentials)) {
      return next(new ldapjs.InvalidCredentialsError());
    }
    res.end();
    return next();
  });

  server.search(suffix, (req, res, next) => {
    if (normalizeDn(req.connection.ldap.bindDN.toString()) !== serviceKey) {
      return next(new ldapjs.InsufficientAccessRightsError('only the service account may search'));
    }
    const base = req.dn.toString();
    const scope = SCOPES[req.scopeName];
    if (!tree.get(base) || !scope) return next(new ldapjs.NoSuchObjectError(base));
    res.attributes = []; // projected below; ldapjs would drop mixed-case names like memberOf
    for (const entry of tree.search(base, scope, req.filter)) {
      res.send({ dn: entry.dn, attributes: tree.project(entry, req.attributes) }, true);
    }
    res.end();
    return next();
  });

  return new Promise((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve({
        port: server.address().port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
