import { describe, expect, it } from 'vitest';
import { createWhirlpoolHasher, whirlpoolHex } from './whirlpool.ts';

describe('whirlpool', () => {
  it('matches the ISO test vectors', async () => {
    expect(await whirlpoolHex('')).toBe(
      '19fa61d75522a4669b44e39c1d2e1726c530232130d407f89afee0964997f7a73e83be698b288febcf88e3e03c4f0757ea8964e59b63d93708b138cc42a66eb3',
    );
    expect(await whirlpoolHex('abc')).toBe(
      '4e2448a4c6f486bb16b6562c73b4020bf3043e3a731bce721ae1b303d97e6d4c7181eebdb6c57e277d0e34957114cbd6c797fc9d95d8b582d225292076d4eef5',
    );
  });

  it('streams in chunks to the same digest', async () => {
    const data = Buffer.alloc(200_000, 7);
    const h = await createWhirlpoolHasher();
    for (let i = 0; i < data.length; i += 65_536) h.update(data.subarray(i, i + 65_536));
    expect(h.digestHex()).toBe(await whirlpoolHex(data));
    expect(() => h.update('x')).toThrow();
  });
});
