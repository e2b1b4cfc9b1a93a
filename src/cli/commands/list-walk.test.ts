import { describe, expect, it } from 'vitest';
import { makeKit } from '../../../test/support/vfs-kit.ts';
import type { Vfs } from '../../vfs/types.ts';
import { effectiveDepth, walk, walkAll } from './list-walk.ts';

async function seed(vfs: Vfs): Promise<void> {
  await vfs.mkdir('top');
  await vfs.mkdir('top/b-dir');
  await vfs.mkdir('top/a-dir');
  await vfs.mkdir('top/a-dir/deep');
  await vfs.writeFile('top/z.txt', Buffer.from('zz'));
  await vfs.writeFile('top/a-dir/one.txt', Buffer.from('1'));
  await vfs.writeFile('top/a-dir/deep/two.txt', Buffer.from('22'));
}

async function rels(vfs: Vfs, path: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of walk(vfs, path, depth)) out.push(l.rel + (l.entry.kind === 'dir' ? '/' : ''));
  return out;
}

describe('walk', () => {
  it("lists a folder's entries by name, then each sub-folder's, relative to the path", async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    expect(await rels(vfs, 'top', -1)).toEqual(['a-dir/', 'b-dir/', 'z.txt', 'a-dir/deep/', 'a-dir/one.txt', 'a-dir/deep/two.txt']);
  });

  it('stops at max depth (1 = own entries; 0 = nothing)', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    expect(await rels(vfs, 'top', 1)).toEqual(['a-dir/', 'b-dir/', 'z.txt']);
    expect(await rels(vfs, 'top', 2)).toEqual(['a-dir/', 'b-dir/', 'z.txt', 'a-dir/deep/', 'a-dir/one.txt']);
    expect(await rels(vfs, 'top', 0)).toEqual([]);
  });

  it('yields a file path as that file, named by its name', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    expect(await rels(vfs, 'top/a-dir/one.txt', -1)).toEqual(['one.txt']);
    const [only] = await walkAll(vfs, await vfs.stat('top/z.txt'), 1);
    expect(only?.entry.path).toBe('top/z.txt');
  });

  it('throws ENOENT for a missing path', async () => {
    const { vfs } = makeKit();
    await expect(rels(vfs, 'nope', -1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('effectiveDepth (rclone ConfigMaxDepth)', () => {
  it('recursive: the given depth or unlimited; not recursive: the given depth or 1', () => {
    expect(effectiveDepth(undefined, true)).toBe(-1);
    expect(effectiveDepth(3, true)).toBe(3);
    expect(effectiveDepth(undefined, false)).toBe(1);
    expect(effectiveDepth(-1, false)).toBe(1);
    expect(effectiveDepth(2, false)).toBe(2);
  });
});
