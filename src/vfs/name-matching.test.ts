/**
 * Names across operating systems, on the memory remote: a name written in one Unicode spelling (NFD from macOS,
 * NFC from Linux and Windows) is the same name in the other, for every operation, with one listing entry; the
 * stored spelling is the first one written. With caseInsensitive, a look-up falls back to the one name equal
 * ignoring case.
 */
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../test/support/errors.ts';
import { putAt } from '../../test/support/remote-kit.ts';
import { makeKit } from '../../test/support/vfs-kit.ts';
import type { Vfs } from './types.ts';

const NFC = 'Caf\u00e9 cr\u00e8me.txt';
const NFD = 'Cafe\u0301 cre\u0300me.txt';
const DIR_NFC = 'R\u00e9sum\u00e9s';
const DIR_NFD = 'Re\u0301sume\u0301s';

async function text(vfs: Vfs, path: string): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of await vfs.openRead(path)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

const names = async (vfs: Vfs, dir = ''): Promise<string[]> => (await vfs.readdir(dir)).map((e) => e.name);

describe.each([
  ['written in NFD, used in NFC', NFD, NFC, DIR_NFD, DIR_NFC],
  ['written in NFC, used in NFD', NFC, NFD, DIR_NFC, DIR_NFD],
])('a name %s', (_label, written, other, dirWritten, dirOther) => {
  it('is read, overwritten, moved and deleted through the other spelling, listed once, stored as first written', async () => {
    const { vfs, backend } = makeKit();
    await vfs.writeFile(written, Buffer.from('first'));
    expect(await names(vfs)).toEqual([written]);

    expect((await vfs.stat(other)).name).toBe(written);
    expect(await text(vfs, other)).toBe('first');

    const replaced = await vfs.writeFile(other, Buffer.from('second version'));
    expect(replaced.name).toBe(written);
    expect(await names(vfs)).toEqual([written]);
    expect((await backend.list('')).map((e) => e.name)).toEqual([written]);
    expect(await text(vfs, written)).toBe('second version');

    await vfs.mkdir(dirWritten);
    expect(await codeOf(vfs.mkdir(dirOther))).toBe('EEXIST');
    const moved = await vfs.rename(other, `${dirOther}/${other}`);
    expect(moved.path).toBe(`${dirWritten}/${other}`);
    expect(await names(vfs)).toEqual([dirWritten]);
    expect(await names(vfs, dirOther)).toEqual([other]);

    await vfs.writeFile(`${dirWritten}/${written}`, Buffer.from('third'));
    expect(await names(vfs, dirWritten)).toEqual([other]);
    expect(await text(vfs, `${dirOther}/${written}`)).toBe('third');

    await vfs.unlink(`${dirOther}/${written}`);
    expect(await names(vfs, dirWritten)).toEqual([]);
    expect(await codeOf(vfs.stat(`${dirWritten}/${other}`))).toBe('ENOENT');
  });

  it('is a MOVE or COPY target that exists: refused without overwrite, replaced in place with it', async () => {
    const { vfs } = makeKit();
    await vfs.writeFile(written, Buffer.from('target'));
    await vfs.writeFile('src.txt', Buffer.from('source'));
    expect(await codeOf(vfs.copy('src.txt', other))).toBe('EEXIST');
    await vfs.copy('src.txt', other, { overwrite: true });
    expect((await names(vfs)).sort()).toEqual([written, 'src.txt']);
    expect(await text(vfs, written)).toBe('source');
    await vfs.rename(other, written);
    expect((await names(vfs)).sort()).toEqual([written, 'src.txt']);
  });
});

describe('two files already stored under spellings that differ only by normalisation', () => {
  it('are listed under distinct names, each readable and removable', async () => {
    const { vfs, backend, clock } = makeKit();
    await putAt(backend, NFD, Buffer.from('older, from a Mac'));
    await clock.advance(1000);
    await putAt(backend, NFC, Buffer.from('newer, from Linux'));
    const suffixed = 'Cafe\u0301 cre\u0300me (2).txt';
    expect((await names(vfs)).sort()).toEqual([suffixed, NFC].sort());
    expect(await text(vfs, NFD)).toBe('newer, from Linux');
    expect(await text(vfs, 'Caf\u00e9 cr\u00e8me (2).txt')).toBe('older, from a Mac');
    await vfs.unlink(suffixed);
    expect(await names(vfs)).toEqual([NFC]);
  });
});

describe('caseInsensitive (rclone --vfs-case-insensitive)', () => {
  it('is off by default', async () => {
    const { vfs } = makeKit();
    await vfs.writeFile('readme.txt', Buffer.from('x'));
    expect(await codeOf(vfs.stat('README.TXT'))).toBe('ENOENT');
  });

  it('finds the one name equal ignoring case, and writes over it keeping its spelling', async () => {
    const { vfs } = makeKit({ vfs: { caseInsensitive: true } });
    await vfs.mkdir('Docs');
    await vfs.writeFile('Docs/readme.txt', Buffer.from('lower'));
    expect((await vfs.stat('DOCS/README.TXT')).path).toBe('Docs/readme.txt');
    await vfs.writeFile('docs/ReadMe.TXT', Buffer.from('replaced'));
    expect(await names(vfs, 'Docs')).toEqual(['readme.txt']);
    expect(await text(vfs, 'Docs/readme.txt')).toBe('replaced');
  });

  it('finds nothing when several names are equal ignoring case, but the exact one still works', async () => {
    const { vfs, backend } = makeKit({ vfs: { caseInsensitive: true } });
    await putAt(backend, 'Notes.txt', Buffer.from('a'));
    await putAt(backend, 'NOTES.txt', Buffer.from('b'));
    expect(await codeOf(vfs.stat('notes.txt'))).toBe('ENOENT');
    expect(await text(vfs, 'NOTES.txt')).toBe('b');
  });

  it('renames a file to another case of its own name (a case change, not a no-op)', async () => {
    const { vfs, backend } = makeKit({ vfs: { caseInsensitive: true } });
    await vfs.writeFile('readme.txt', Buffer.from('x'));
    const moved = await vfs.rename('readme.txt', 'README.txt');
    expect(moved.name).toBe('README.txt');
    expect(await names(vfs)).toEqual(['README.txt']);
    expect((await backend.list('')).map((e) => e.name)).toEqual(['README.txt']);
  });
});
