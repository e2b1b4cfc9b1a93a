import { describe, expect, it } from 'vitest';
import { makeKit } from '../../../test/support/vfs-kit.ts';
import { mkdirAll } from './mkdir.ts';

describe('mkdirAll', () => {
  it('creates the missing parents, and an existing folder is success', async () => {
    const { vfs } = makeKit();
    await vfs.mkdir('a');
    await mkdirAll(vfs, 'a/b/c');
    expect((await vfs.stat('a/b/c')).kind).toBe('dir');
    await mkdirAll(vfs, 'a/b/c');
    await mkdirAll(vfs, '');
    expect((await vfs.readdir('a/b')).map((e) => e.name)).toEqual(['c']);
  });

  it('fails with EEXIST on a file, and ENOTDIR below a file', async () => {
    const { vfs } = makeKit();
    await vfs.writeFile('f', Buffer.from('x'));
    await expect(mkdirAll(vfs, 'f')).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(mkdirAll(vfs, 'f/sub')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
