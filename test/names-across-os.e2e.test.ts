/**
 * Names across operating systems through the whole stack (our WebDAV server, the VFS, the fichier remote, the
 * emulator): a file written by a macOS client (names in NFD) and used by a Linux or Windows client (NFC), and the
 * other way round, is one file: read, overwritten, moved, locked and deleted through the other spelling, one
 * PROPFIND entry throughout, stored at 1fichier once under the spelling it was first written in. With
 * --vfs-case-insensitive, README.TXT finds readme.txt; without it, it does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cliEnv, runCli } from './support/cli.ts';
import { startDavStack, type DavStack } from './support/stack.ts';

const NFC = 'Caf\u00e9 cr\u00e8me.txt';
const NFD = 'Cafe\u0301 cre\u0300me.txt';
const DIR_NFC = 'R\u00e9sum\u00e9s';
const DIR_NFD = 'Re\u0301sume\u0301s';

interface Answer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

function client(stack: DavStack) {
  const auth = `Basic ${Buffer.from(`${stack.user}:${stack.pass}`).toString('base64')}`;
  const url = (path: string) => stack.url + path.split('/').map(encodeURIComponent).join('/');
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> => {
    const res = await request(url(path), { method: method as 'GET', headers: { authorization: auth, ...headers }, body });
    return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
  };
  /** The decoded member names of collection `path` (Depth 1, the collection itself left out). */
  const members = async (path = ''): Promise<string[]> => {
    const res = await call('PROPFIND', path, { depth: '1' });
    expect(res.status).toBe(207);
    const hrefs = [...res.text.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => decodeURIComponent(m[1]!));
    const self = decodeURIComponent(new URL(url(path)).pathname).replace(/\/$/, '').normalize('NFC');
    return hrefs
      .filter((h) => h.replace(/\/$/, '').normalize('NFC') !== self)
      .map((h) => h.replace(/\/$/, '').split('/').pop()!)
      .sort();
  };
  return { call, members, url };
}

/** The names of the files 1fichier holds in its root folder. */
async function storedNames(stack: DavStack, folderId = 0): Promise<string[]> {
  return (await stack.emu.stored(folderId)).files.map((f) => f.filename).sort();
}

describe.each([
  ['written in NFD (macOS), used in NFC (Linux, Windows)', NFD, NFC, DIR_NFD, DIR_NFC],
  ['written in NFC (Linux, Windows), used in NFD (macOS)', NFC, NFD, DIR_NFC, DIR_NFD],
])('a name %s', (_label, written, other, dirWritten, dirOther) => {
  let stack: DavStack;
  beforeAll(async () => {
    stack = await startDavStack();
  });
  afterAll(() => stack.stop());

  it('is one file for GET, PUT, LOCK, MOVE and DELETE, listed once, stored once in its first spelling', async () => {
    const c = client(stack);
    expect((await c.call('PUT', written, {}, 'first')).status).toBe(201);
    expect(await c.members()).toEqual([written]);

    const get = await c.call('GET', other);
    expect({ status: get.status, text: get.text }).toEqual({ status: 200, text: 'first' });

    expect((await c.call('PUT', other, {}, 'second, longer')).status).toBe(204);
    expect(await c.members()).toEqual([written]);
    expect(await storedNames(stack)).toEqual([written]);
    expect((await c.call('GET', written)).text).toBe('second, longer');

    const lock = await c.call('LOCK', written, { 'content-type': 'application/xml' }, '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>');
    expect(lock.status).toBe(200);
    expect((await c.call('PUT', other, {}, 'refused while locked')).status).toBe(423);
    expect((await c.call('UNLOCK', other, { 'lock-token': String(lock.headers['lock-token']) })).status).toBe(204);

    expect((await c.call('MKCOL', dirWritten)).status).toBe(201);
    expect((await c.call('MKCOL', dirOther)).status).toBe(405);
    expect((await c.call('MOVE', other, { destination: c.url(`${dirOther}/${other}`), overwrite: 'F' })).status).toBe(201);
    expect(await c.members()).toEqual([dirWritten]);
    expect(await c.members(dirOther)).toEqual([other]);
    expect((await c.call('MOVE', `${dirOther}/${written}`, { destination: c.url(`${dirWritten}/${other}`) })).status).toBe(403);

    expect((await c.call('DELETE', `${dirWritten}/${written}`)).status).toBe(204);
    expect(await c.members(dirOther)).toEqual([]);
    expect((await c.call('GET', `${dirOther}/${other}`)).status).toBe(404);
  }, 30_000);
});

describe('--vfs-case-insensitive through the server', () => {
  let stack: DavStack;
  let plain: DavStack;
  beforeAll(async () => {
    [stack, plain] = await Promise.all([startDavStack({ vfs: { caseInsensitive: true } }), startDavStack()]);
  });
  afterAll(() => Promise.all([stack.stop(), plain.stop()]));

  it('is off by default: README.TXT does not find readme.txt, and a PUT to it makes a second file', async () => {
    const c = client(plain);
    expect((await c.call('PUT', 'readme.txt', {}, 'lower case')).status).toBe(201);
    expect((await c.call('GET', 'README.TXT')).status).toBe(404);
    expect((await c.call('PUT', 'README.TXT', {}, 'upper case')).status).toBe(201);
    expect(await c.members()).toEqual(['README.TXT', 'readme.txt']);
    expect((await c.call('GET', 'readme.txt')).text).toBe('lower case');
  }, 30_000);

  it('README.TXT finds readme.txt, and a PUT to it replaces that file', async () => {
    const c = client(stack);
    expect((await c.call('PUT', 'readme.txt', {}, 'lower case')).status).toBe(201);
    const get = await c.call('GET', 'README.TXT');
    expect({ status: get.status, text: get.text }).toEqual({ status: 200, text: 'lower case' });
    expect((await c.call('PUT', 'ReadMe.Txt', {}, 'replaced')).status).toBe(204);
    expect(await c.members()).toEqual(['readme.txt']);
    expect(await storedNames(stack)).toEqual(['readme.txt']);
  }, 30_000);

  it('is what the CLI flag turns on: ls fichier:README.TXT finds readme.txt with --vfs-case-insensitive only', async () => {
    const env = cliEnv(stack.emu.apiBase, stack.emu.key);
    const on = await runCli(['ls', 'fichier:README.TXT', '--vfs-case-insensitive'], { env });
    expect({ code: on.code, stdout: on.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^\s*8 readme\.txt\n$/) });
    const off = await runCli(['ls', 'fichier:README.TXT'], { env });
    expect(off.code).not.toBe(0);
    expect(off.stderr).toMatch(/README\.TXT/);
  }, 30_000);
});
