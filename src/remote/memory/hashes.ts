import { createHash } from 'node:crypto';
import { whirlpoolHex } from '../../util/whirlpool.ts';
import type { HashType } from '../types.ts';

/** The digests of `data` for each requested type, lower-case hex. */
export async function digestsOf(data: Buffer, types: readonly HashType[]): Promise<Partial<Record<HashType, string>>> {
  const out: Partial<Record<HashType, string>> = {};
  for (const t of types) out[t] = t === 'whirlpool' ? await whirlpoolHex(data) : createHash(t).update(data).digest('hex');
  return out;
}
