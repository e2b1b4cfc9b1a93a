import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support/errors.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import { readOnlyVfs } from './read-only.ts';


describe('readOnlyVfs', () => {
  it('refuses every write with EROFS and changes nothing; reads pass through', async () => {
    const kit = makeKit();
    await kit.vfs.mkdir('d');
    await kit.vfs.writeFile('d/f.txt', Buffer.from('kept'));
    const ro = readOnlyVfs(kit.vfs);
    kit.remote.reset();
    const writes: [string, Promise<unknown>][] = [
      ['openWrite', ro.openWrite('d/new.txt', { size: 1 })],
      ['writeFile', ro.writeFile('d/f.txt', Buffer.from('x'))],
      ['mkdir', ro.mkdir('e')],
      ['rmdir', ro.rmdir('d')],
      ['unlink', ro.unlink('d/f.txt')],
      ['removeTree', ro.removeTree('d')],
      ['rename', ro.rename('d/f.txt', 'd/g.txt')],
      ['copy', ro.copy('d/f.txt', 'd/g.txt')],
      ['setModTime', ro.setModTime('d/f.txt', 1)],
      ['patchProps', ro.patchProps('d/f.txt', [{ op: 'remove', ns: 'urn:x', name: 'y' }])],
    ];
    for (const [name, p] of writes) expect([name, await codeOf(p)]).toEqual([name, 'EROFS']);
    expect(kit.remote.total()).toBe(0);
    expect((await ro.readdir('d')).map((e) => e.name)).toEqual(['f.txt']);
    const chunks: Buffer[] = [];
    for await (const c of await ro.openRead('d/f.txt')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('kept');
    expect((await ro.stat('d/f.txt')).size).toBe(4);
  });
});
