/**
 * Random bytes for per-request tokens (session ids, form tokens), drawn from one CSPRNG buffer.
 *
 * `crypto.randomBytes` costs about 10 µs a call on these VMs, whatever the size; a sign-in takes
 * two or three small tokens. The bytes come from the same generator (OpenSSL's, through
 * `randomFillSync`) 4 KiB at a time, as Node's own `randomUUID` does; each caller gets its own
 * copy, and the buffer's used bytes are zeroed.
 */
import { randomBytes, randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `n` random bytes (n ≤ 256 from the buffer; larger requests go straight to randomBytes). */
export function tokenBytes(n: number): Buffer {
  if (n > 256) return randomBytes(n);
  if (offset + n > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Buffer.from(pool.subarray(offset, offset + n));
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}
