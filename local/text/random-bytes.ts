/**
 * Random bytes for identifiers and opaque fields on the hot path (a fake SNS
 * signature per delivery, an extended request id per API request). Taken
 * from one pooled buffer, as `crypto.randomUUID` does: one call into the
 * CSPRNG per 16 KB instead of one per value.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 16 * 1024;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

/** `size` fresh random bytes (a copy: callers may keep it). */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}
