import { afterEach, describe, expect, it } from 'vitest';
import type { DuplicateFolders, FolderMvRename } from './core.ts';
import { start, type Started } from '../../test/support/emulator-http.ts';

/** The switches for what nobody outside 1fichier knows, each flipped every way. */

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function withMode(config: { duplicateFolders?: DuplicateFolders; folderMvRename?: FolderMvRename }): Promise<Started> {
  s = await start({ config });
  return s;
}

async function mkdir(st: Started, parent: number, name: string): Promise<{ status: number; json: { status?: string; folder_id?: number; message?: string } }> {
  return st.api('folder/mkdir.cgi', { folder_id: parent, name });
}

async function subFolders(st: Started, id: number): Promise<{ id: number; name: string }[]> {
  return (await st.api<{ sub_folders?: { id: number; name: string }[] }>('folder/ls.cgi', { folder_id: id })).json.sub_folders ?? [];
}

describe('duplicateFolders', () => {
  it("'refuse': a second mkdir of a name is 403 #905; folder/mv onto a taken name is 200 KO #905", async () => {
    const st = await withMode({ duplicateFolders: 'refuse' });
    const a = (await mkdir(st, 0, 'same')).json.folder_id!;
    expect(await mkdir(st, 0, 'same')).toEqual({ status: 403, json: { status: 'KO', message: 'A folder with this name already exists #905' } });
    const b = (await mkdir(st, 0, 'other')).json.folder_id!;
    expect((await st.api('folder/mv.cgi', { folder_id: b, rename: 'same' })).json).toMatchObject({ status: 'KO' });
    expect((await subFolders(st, 0)).map((f) => [f.id, f.name])).toEqual([
      [a, 'same'],
      [b, 'other'],
    ]);
  });

  it("'allow': a second mkdir creates a second folder of the same name; folder/mv may create a clash too", async () => {
    const st = await withMode({ duplicateFolders: 'allow' });
    const a = (await mkdir(st, 0, 'same')).json.folder_id!;
    const again = await mkdir(st, 0, 'same');
    expect(again.status).toBe(200);
    expect(again.json.folder_id).not.toBe(a);
    const c = (await mkdir(st, 0, 'third')).json.folder_id!;
    expect((await st.api('folder/mv.cgi', { folder_id: c, rename: 'same' })).json.status).toBe('OK');
    expect((await subFolders(st, 0)).map((f) => f.name)).toEqual(['same', 'same', 'same']);
  });

  it("'existing': a second mkdir answers OK with the existing folder's id and creates nothing", async () => {
    const st = await withMode({ duplicateFolders: 'existing' });
    const a = (await mkdir(st, 0, 'same')).json.folder_id!;
    expect(await mkdir(st, 0, 'same')).toEqual({ status: 200, json: { status: 'OK', folder_id: a, name: 'same' } });
    expect(await subFolders(st, 0)).toHaveLength(1);
  });

  it('realistic allows duplicates, lenient refuses them', async () => {
    s = await start({ profile: 'realistic' });
    await mkdir(s, 0, 'd');
    expect((await mkdir(s, 0, 'd')).status).toBe(200);
    await s.stop();
    s = await start({ profile: 'lenient' });
    await mkdir(s, 0, 'd');
    expect((await mkdir(s, 0, 'd')).status).toBe(403);
  });
});

describe('folderMvRename', () => {
  async function tree(st: Started): Promise<{ from: number; to: number; moving: number }> {
    const from = (await mkdir(st, 0, 'from')).json.folder_id!;
    const to = (await mkdir(st, 0, 'to')).json.folder_id!;
    const moving = (await mkdir(st, from, 'moving')).json.folder_id!;
    return { from, to, moving };
  }

  it("'rename-only': with rename the destination is ignored (renamed in place, answered OK)", async () => {
    const st = await withMode({ folderMvRename: 'rename-only' });
    const { from, to, moving } = await tree(st);
    const r = await st.api('folder/mv.cgi', { folder_id: moving, destination_folder_id: to, rename: 'renamed' });
    expect(r.json).toEqual({ status: 'OK', old_name: 'moving', new_name: 'renamed' });
    expect((await subFolders(st, from)).map((f) => [f.id, f.name])).toEqual([[moving, 'renamed']]);
    expect(await subFolders(st, to)).toEqual([]);
  });

  it("'rename-only': without rename it moves", async () => {
    const st = await withMode({ folderMvRename: 'rename-only' });
    const { from, to, moving } = await tree(st);
    expect((await st.api('folder/mv.cgi', { folder_id: moving, destination_folder_id: to })).json.status).toBe('OK');
    expect(await subFolders(st, from)).toEqual([]);
    expect((await subFolders(st, to)).map((f) => [f.id, f.name])).toEqual([[moving, 'moving']]);
  });

  it("'move-and-rename': both apply in one call", async () => {
    const st = await withMode({ folderMvRename: 'move-and-rename' });
    const { from, to, moving } = await tree(st);
    expect((await st.api('folder/mv.cgi', { folder_id: moving, destination_folder_id: to, rename: 'renamed' })).json.status).toBe('OK');
    expect(await subFolders(st, from)).toEqual([]);
    expect((await subFolders(st, to)).map((f) => [f.id, f.name])).toEqual([[moving, 'renamed']]);
  });

  it('realistic is rename-only, lenient applies both', async () => {
    for (const [profile, where] of [
      ['realistic', 'from'],
      ['lenient', 'to'],
    ] as const) {
      s = await start({ profile, limits: { listIntervalMs: 0, listFolderIntervalMs: 0 } });
      const ids = await tree(s);
      await s.api('folder/mv.cgi', { folder_id: ids.moving, destination_folder_id: ids.to, rename: 'r' });
      expect((await subFolders(s, ids[where])).map((f) => f.name), profile).toEqual(['r']);
      await s.stop();
      s = undefined;
    }
  });
});
