/**
 * The reference servers of the HTTP benchmark, each run in its own child process exactly as
 * Gatehouse is: `node --import tsx bench/http-baselines.ts express|node-http`.
 * - express: bare Express 5, one GET route answering a 1 KB body (`res.send`, default settings);
 * - node-http: a raw node:http handler answering the same 1 KB.
 * Listens on 127.0.0.1, an ephemeral port, prints `listening on http://127.0.0.1:PORT`, and
 * exits on SIGTERM.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';

export const BODY = 'x'.repeat(1024);

function handler(kind: string | undefined): (req: IncomingMessage, res: ServerResponse) => void {
  if (kind === 'express') {
    const app = express();
    app.get('/', (_req, res) => {
      res.send(BODY);
    });
    return app;
  }
  if (kind === 'node-http') {
    const body = Buffer.from(BODY);
    return (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
      res.end(body);
    };
  }
  throw new Error(`usage: http-baselines.ts express|node-http (got ${kind})`);
}

const server = createServer(handler(process.argv[2]));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
