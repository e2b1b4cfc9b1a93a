/**
 * Measures the VFS's API economy against the local emulator (no network): builds a tree of folders and
 * files through the API, then walks it through the VFS cold, warm, and after a restart on the same
 * metadata store, printing the API calls counted at the emulator and the wall time of each walk.
 *
 *   npm run measure:economy [-- --depth 3 --fanout 3 --files 5]
 *
 * Figures of 2026-11-23 on the 2-core dev machine (depth 3, fanout 3, 5 files): 39 folders + root,
 * cold walk 40 calls, warm 0, restarted 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Vfs } from '../src/vfs/types.ts';
import { startEmulator } from '../test/support/emulator.ts';
import { stackSet } from '../test/support/stack.ts';

const { values } = parseArgs({
  options: { depth: { type: 'string', default: '3' }, fanout: { type: 'string', default: '3' }, files: { type: 'string', default: '5' } },
});
const depth = Number(values.depth);
const fanout = Number(values.fanout);
const filesPerFolder = Number(values.files);

const emu = await startEmulator();
const stack = stackSet(() => emu);
const client = emu.client();
const dir = mkdtempSync(join(tmpdir(), 'fdav-economy-'));
let folders = 0;

async function build(parent: number, level: number): Promise<void> {
  for (let i = 0; i < fanout; i++) {
    const f = await client.folderMkdir(parent, `d${level}-${i}`);
    folders += 1;
    for (let j = 0; j < filesPerFolder; j++) {
      const body = Buffer.from(`file ${j} of folder ${f.folder_id}\n`);
      await client.upload(Readable.from([body]), { filename: `f${j}.txt`, size: body.length, folderId: f.folder_id });
    }
    if (level < depth) await build(f.folder_id, level + 1);
  }
}

async function walk(vfs: Vfs, path = ''): Promise<number> {
  let n = 0;
  for (const e of await vfs.readdir(path)) {
    n += 1;
    if (e.kind === 'dir') n += await walk(vfs, e.path);
  }
  return n;
}

async function measure(label: string, vfs: Vfs): Promise<void> {
  const before = (await emu.stats()).total;
  const t0 = performance.now();
  const entries = await walk(vfs);
  const calls = (await emu.stats()).total - before;
  console.log(`${label.padEnd(28)} ${String(entries).padStart(6)} entries  ${String(calls).padStart(4)} API calls  ${(performance.now() - t0).toFixed(0).padStart(6)} ms`);
}

try {
  await build(0, 1);
  console.log(`tree: ${folders} folders + root, ${filesPerFolder} files per folder`);
  const store = join(dir, 'meta.sqlite');
  const first = await stack.openVfs(store);
  await measure('cold walk', first);
  await measure('warm walk', first);
  await first.close();
  await measure('restarted, same store', await stack.openVfs(store));
} finally {
  await stack.closeAll();
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
}
