/**
 * The shared-folder client against the emulator's /dir/<id> page: listing with and without a password, the
 * errors by kind, downloads through get_token on an entry's link, and pacing (one paced call per listing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';
import { Secret } from '../util/secret.ts';
import { FichierClient } from './client.ts';
import { FichierApiError } from './errors.ts';
import { createPacer } from './pacer.ts';

let s: Started;
let client: FichierClient;
let openId: string;
let protectedId: string;
const PASS = 'p@ss word+&=';

async function sharedFolder(name: string, pass?: string): Promise<string> {
  const id = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: 0 })).json.folder_id;
  await s.upload([{ name: 'one.txt', data: 'first file' }, { name: 'two é.bin', data: Buffer.alloc(5000, 3) }], id);
  const { url } = (await s.api<{ url: string }>('folder/share.cgi', { folder_id: id, ...(pass !== undefined ? { pass } : {}) })).json;
  return new URL(url).pathname.split('/').pop()!;
}

async function kindOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return err instanceof FichierApiError ? err.kind : `not a FichierApiError: ${String(err)}`;
  }
  return undefined;
}

beforeAll(async () => {
  s = await start();
  client = new FichierClient({ apiKey: new Secret(KEY), baseUrl: `${s.url}/v1`, pacer: createPacer({ minIntervalMs: 1 }) });
  openId = await sharedFolder('Open');
  protectedId = await sharedFolder('Locked', PASS);
});

afterAll(async () => {
  await client.close();
  await s.stop();
});

describe('FichierClient.sharedFolderLs', () => {
  it('lists an open shared folder as [{filename, link, size}], one paced call, and an entry downloads via getToken', async () => {
    const before = s.emu.stats().calls['/dir'] ?? 0;
    const entries = await client.sharedFolderLs(openId);
    expect(s.emu.stats().calls['/dir']).toBe(before + 1);
    expect(entries.map((e) => [e.filename, e.size])).toEqual([
      ['one.txt', 10],
      ['two é.bin', 5000],
    ]);
    expect(entries[0]!.link).toMatch(/^https:\/\/1fichier\.com\/\?[a-z0-9]{20}$/);
    const token = await client.getToken(entries[0]!.link);
    const dl = await client.download(token.url);
    const chunks: Buffer[] = [];
    for await (const c of dl.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('first file');
  });

  it('lists a protected folder with its password (POSTed as a form), refuses without or with a wrong one', async () => {
    expect((await client.sharedFolderLs(protectedId, { pass: PASS })).map((e) => e.filename)).toEqual(['one.txt', 'two é.bin']);
    expect(await kindOf(client.sharedFolderLs(protectedId))).toBe('forbidden');
    expect(await kindOf(client.sharedFolderLs(protectedId, { pass: 'wrong' }))).toBe('forbidden');
  });

  it('an unknown id or one that is not alphanumeric is not-found (the latter without any request)', async () => {
    expect(await kindOf(client.sharedFolderLs('Unknown123'))).toBe('not-found');
    const before = s.emu.stats().calls['/dir'] ?? 0;
    expect(await kindOf(client.sharedFolderLs('../v1/user'))).toBe('not-found');
    expect(s.emu.stats().calls['/dir'] ?? 0).toBe(before);
  });

  it('retries a 503 from the page through the pacer, like any call', async () => {
    s.emu.control.setFaults({ failNext: [{ endpoint: 'dir', count: 1, status: 503 }] });
    const before = s.emu.stats().calls['/dir'] ?? 0;
    expect((await client.sharedFolderLs(openId)).length).toBe(2);
    expect(s.emu.stats().calls['/dir']).toBe(before + 2);
  });
});
