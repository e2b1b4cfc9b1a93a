import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../util/log.ts';
import { makeKit } from '../../../test/support/vfs-kit.ts';
import type { Vfs } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { deletePath } from './delete.ts';

function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    cwd: '/',
    out: () => out,
    err: () => err,
  };
}

async function seed(vfs: Vfs): Promise<void> {
  await vfs.mkdir('d');
  await vfs.mkdir('d/sub');
  await vfs.mkdir('d/empty');
  await vfs.writeFile('d/a.txt', Buffer.from('aaaaaa'));
  await vfs.writeFile('d/sub/b.txt', Buffer.from('b'));
}

const tree = async (vfs: Vfs, dir: string): Promise<string[]> => (await vfs.readdir(dir)).map((e) => e.name).sort();

describe('deletePath (rclone delete)', () => {
  it('removes the files recursively and keeps the folders', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    await deletePath(vfs, 'd', { rmdirs: false, dryRun: false }, captureIo(), silentLogger);
    expect(await tree(vfs, 'd')).toEqual(['empty', 'sub']);
    expect(await tree(vfs, 'd/sub')).toEqual([]);
  });

  it('--rmdirs also removes the emptied folders, never the path itself', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    await deletePath(vfs, 'd', { rmdirs: true, dryRun: false }, captureIo(), silentLogger);
    expect(await tree(vfs, 'd')).toEqual([]);
  });

  it('--dry-run removes nothing and prints the notices', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    const io = captureIo();
    await deletePath(vfs, 'd', { rmdirs: true, dryRun: true }, io, silentLogger);
    expect(await tree(vfs, 'd')).toEqual(['a.txt', 'empty', 'sub']);
    expect(io.err().split('\n').filter(Boolean)).toEqual([
      'NOTICE: a.txt: Skipped delete as --dry-run is set (size 6)',
      'NOTICE: sub/b.txt: Skipped delete as --dry-run is set (size 1)',
      'NOTICE: empty: Skipped remove directory as --dry-run is set',
      'NOTICE: sub: Skipped remove directory as --dry-run is set',
    ]);
  });

  it('on a file removes that file only', async () => {
    const { vfs } = makeKit();
    await seed(vfs);
    await deletePath(vfs, 'd/a.txt', { rmdirs: true, dryRun: false }, captureIo(), silentLogger);
    expect(await tree(vfs, 'd')).toEqual(['empty', 'sub']);
  });

  it('reports a failing file, removes the others, and fails at the end', async () => {
    const { vfs, remote } = makeKit();
    await seed(vfs);
    remote.override('remove', async (file) => {
      if (file.name === 'a.txt') throw Object.assign(new Error('refused'), { code: 'EACCES' });
    });
    const io = captureIo();
    await expect(deletePath(vfs, 'd', { rmdirs: false, dryRun: false }, io, silentLogger)).rejects.toMatchObject({ exitCode: 1 });
    expect(io.err()).toMatch(/d\/a\.txt/);
    expect(await tree(vfs, 'd/sub')).toEqual([]);
  });

  it('throws ENOENT for a missing path', async () => {
    const { vfs } = makeKit();
    await expect(deletePath(vfs, 'nope', { rmdirs: false, dryRun: false }, captureIo(), silentLogger)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
