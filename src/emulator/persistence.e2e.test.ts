import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileEntry, FolderLsResponse } from '../api/types.ts';
import { start } from '../../test/support/emulator-http.ts';

const dir = mkdtempSync(join(tmpdir(), 'fdav-emu-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('persistence with a data dir', () => {
  it('keeps folders, files, bytes and id counters across a restart; deletes unreferenced blobs', async () => {
    const dataDir = join(dir, 'a');
    const s1 = await start({ dataDir });
    const d = (await s1.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'kept', folder_id: 0 })).json.folder_id;
    const [l] = await s1.upload([{ name: 'kept.txt', data: 'persistent bytes' }], d);
    const cp = await s1.api<{ urls: { to_url: string }[] }>('file/cp.cgi', { urls: [l!.download], folder_id: 0, rename: 'copy.txt' });
    await s1.stop();

    const s2 = await start({ dataDir });
    const ls = await s2.api<FolderLsResponse>('folder/ls.cgi', { folder_id: d, files: 1 });
    expect(ls.json.name).toBe('kept');
    expect(ls.json.items!.map((i: FileEntry) => i.filename)).toEqual(['kept.txt']);
    expect(await (await s2.download(l!.download)).text()).toBe('persistent bytes');
    const d2 = (await s2.api<{ folder_id: number }>('folder/mkdir.cgi', { name: 'next', folder_id: 0 })).json.folder_id;
    expect(d2).toBeGreaterThan(d);
    const blobs = join(dataDir, 'blobs');
    expect(readdirSync(blobs)).toHaveLength(1);
    await s2.api('file/rm.cgi', { files: [{ url: l!.download }] });
    expect(readdirSync(blobs)).toHaveLength(1);
    await s2.api('file/rm.cgi', { files: [{ url: cp.json.urls[0]!.to_url }] });
    expect(readdirSync(blobs)).toHaveLength(0);
    await s2.stop();
    expect(existsSync(join(dataDir, 'emulator.sqlite'))).toBe(true);
  });

  it('seeds the demo tree once, only into an empty account', async () => {
    const dataDir = join(dir, 'demo');
    const s1 = await start({ dataDir, demo: true });
    const root = await s1.api<FolderLsResponse>('folder/ls.cgi', { folder_id: 0, files: 1 });
    expect(root.json.sub_folders!.map((f) => f.name)).toEqual(['Documents', 'Media', 'Photos']);
    expect(root.json.items!.map((i) => i.filename)).toEqual(['welcome.txt']);
    const all = await s1.api<{ count: number; items: FileEntry[] }>('file/ls.cgi', { folder_id: -1 });
    const wav = all.json.items.find((i) => i.filename.endsWith('.wav'))!;
    expect(wav['content-type']).toMatch(/audio/);
    const bytes = Buffer.from(await (await s1.download(wav.url)).arrayBuffer());
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('ascii')).toBe('WAVE');
    await s1.stop();
    const s2 = await start({ dataDir, demo: true });
    expect((await s2.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(all.json.count);
    await s2.stop();
  });
});
