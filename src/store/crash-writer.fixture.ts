/**
 * Child process of crash.test.ts. Usage: crash-writer.fixture.ts <db file> <first generation> <slots> <entries>.
 * Opens the store and writes in a tight loop until killed, printing one line per committed transaction
 * ("L <i>", "M <i>", "P <i>"). Generation i (counting from <first generation>) rewrites, in slot i % slots,
 * listing `d<slot>` with <entries> entries named `g<i>-<k>` (fetchedAt i), the meta of `m<slot>`
 * (modTime i, md5 "<i>") and the local file `loc/f<slot>` (content "<i>", modTime i).
 */
import { openMetaStore } from './index.ts';
import type { RemoteEntry } from '../remote/types.ts';

const [file, first, slots, perListing] = process.argv.slice(2);
if (file === undefined || first === undefined || slots === undefined || perListing === undefined) {
  throw new Error('usage: crash-writer.fixture.ts <db file> <first generation> <slots> <entries>');
}
const SLOTS = Number(slots);
const PER_LISTING = Number(perListing);
const store = openMetaStore({ file });
const say = (line: string) => process.stdout.write(`${line}\n`);
for (let i = Number(first); ; i++) {
  const slot = i % SLOTS;
  const dir = `d${slot}`;
  const entries: RemoteEntry[] = [];
  for (let k = 0; k < PER_LISTING; k++) {
    entries.push({ path: `${dir}/g${i}-${k}`, name: `g${i}-${k}`, kind: 'file', size: k, modTime: i, id: `u${i}-${k}`, hashes: { whirlpool: 'f'.repeat(128) } });
  }
  store.putListing(dir, entries, i);
  say(`L ${i}`);
  store.setMeta(`m${slot}`, { modTime: i, md5: String(i) });
  say(`M ${i}`);
  store.putLocal({ path: `loc/f${slot}`, id: `local:${slot}`, content: Buffer.from(String(i)), modTime: i });
  say(`P ${i}`);
}
