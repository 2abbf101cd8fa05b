/**
 * What the AWS wire protocols (query XML in query/handler.ts, JSON 1.1 in cloudtrail.ts) share:
 * - a request body is read up to MAX_BODY_BYTES, refused early when Content-Length says more,
 *   and cut off (the rest discarded) when the stream runs past it;
 * - every answer carries its length, `x-amzn-RequestId`, `Cache-Control: no-store` and `nosniff`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body any protocol endpoint reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The body, or the protocol's own "too large" error from `tooLarge`. */
export function readBody(req: IncomingMessage, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering; the error is sent and the connection closed after it.
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes a whole answer with the headers every protocol response carries. */
export function sendAnswer(res: ServerResponse, status: number, contentType: string, body: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}
