/**
 * The deterministic test bytes: pseudo-random (xorshift32, so no pattern a compressor or a cache could
 * exploit), the same for the same (n, seed) on every run, different for different seeds.
 */
export function testBytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}
