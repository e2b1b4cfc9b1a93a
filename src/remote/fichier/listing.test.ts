import { describe, expect, it } from 'vitest';
import type { FichierClient } from '../../api/client.ts';
import type { FileEntry, FileLsResponse, FolderLsResponse } from '../../api/types.ts';
import { FakeClock } from '../../util/clock.ts';
import { createLogger } from '../../util/log.ts';
import { FOLDER_LS_CAP, listFolder } from './listing.ts';

function file(i: number, extra: Partial<FileEntry> = {}): FileEntry {
  return {
    url: `https://1fichier.com/?file${String(i).padStart(5, '0')}`,
    filename: `f${i}`,
    size: i,
    date: '2024-01-02 03:04:05',
    checksum: 'AB'.repeat(64),
    'content-type': 'application/octet-stream',
    pass: 0,
    acl: 0,
    cdn: 0,
    ...extra,
  };
}

/** A client that answers folder/ls and file/ls from fixed bodies and counts the calls. */
function fakeClient(folderLs: Omit<FolderLsResponse, 'status' | 'folder_id' | 'name'>, fileLsItems: FileEntry[] = []) {
  const calls = { folderLs: 0, fileLs: 0 };
  const client = {
    folderLs: async (id: number, opts: { files?: boolean }): Promise<FolderLsResponse> => {
      calls.folderLs++;
      expect(opts.files).toBe(true);
      return { status: 'OK', folder_id: id, name: 'x', ...folderLs };
    },
    fileLs: async (): Promise<FileLsResponse> => {
      calls.fileLs++;
      return { status: 'OK', count: fileLsItems.length, items: fileLsItems };
    },
  } as unknown as FichierClient;
  return { client, calls };
}

function ctx(client: FichierClient, lines: string[] = []) {
  return { client, clock: new FakeClock(1_000), logger: createLogger({ level: 'warn', format: 'json', destination: { write: (l: string) => void lines.push(l) } }) };
}

describe('listFolder', () => {
  it('one call when folder/ls carries the items; entries decoded and mapped', async () => {
    const { client, calls } = fakeClient({
      sub_folders: [{ id: 7, name: '␠sub＄', create_date: '2023-05-06 07:08:09', pass: 0 }],
      items: [file(1, { filename: 'a‛＄b' }), file(2, { date: 'garbage' })],
    });
    const entries = await listFolder(ctx(client), 3, 'top', undefined);
    expect(calls).toEqual({ folderLs: 1, fileLs: 0 });
    // Wire dates are Paris time: CEST (UTC+2) in May, CET (UTC+1) in January.
    expect(entries).toEqual([
      { path: 'top/ sub$', name: ' sub$', kind: 'dir', size: 0, modTime: Date.UTC(2023, 4, 6, 5, 8, 9), id: '7', hashes: {} },
      { path: 'top/a＄b', name: 'a＄b', kind: 'file', size: 1, modTime: Date.UTC(2024, 0, 2, 2, 4, 5), id: file(1).url, mimeType: 'application/octet-stream', hashes: { whirlpool: 'ab'.repeat(64) } },
      { path: 'top/f2', name: 'f2', kind: 'file', size: 2, modTime: 1_000, id: file(2).url, mimeType: 'application/octet-stream', hashes: { whirlpool: 'ab'.repeat(64) } },
    ]);
  });

  it('no items key: file/ls gives the files', async () => {
    const { client, calls } = fakeClient({}, [file(5)]);
    expect((await listFolder(ctx(client), 3, '', undefined)).map((e) => e.path)).toEqual(['f5']);
    expect(calls).toEqual({ folderLs: 1, fileLs: 1 });
  });

  it('no items key but a files count of 0: no file/ls', async () => {
    const { client, calls } = fakeClient({ files: 0 }, [file(5)]);
    expect(await listFolder(ctx(client), 3, '', undefined)).toEqual([]);
    expect(calls).toEqual({ folderLs: 1, fileLs: 0 });
  });

  it('at the 5000-entry cap, file/ls (uncapped) replaces the items, with a warning', async () => {
    const subs = Array.from({ length: 10 }, (_, i) => ({ id: 100 + i, name: `d${i}`, create_date: '2024-01-01 00:00:00', pass: 0 as const }));
    const capped = Array.from({ length: FOLDER_LS_CAP - 10 }, (_, i) => file(i));
    const all = Array.from({ length: FOLDER_LS_CAP + 50 }, (_, i) => file(i));
    const { client, calls } = fakeClient({ sub_folders: subs, items: capped }, all);
    const lines: string[] = [];
    const entries = await listFolder(ctx(client, lines), 3, 'big', undefined);
    expect(calls).toEqual({ folderLs: 1, fileLs: 1 });
    expect(entries.filter((e) => e.kind === 'file')).toHaveLength(FOLDER_LS_CAP + 50);
    expect(entries.filter((e) => e.kind === 'dir')).toHaveLength(10);
    expect(lines.map((l) => (JSON.parse(l) as { level: number }).level)).toEqual([40]);
  });

  it('below the cap no second call', async () => {
    const { client, calls } = fakeClient({ items: Array.from({ length: FOLDER_LS_CAP - 1 }, (_, i) => file(i)) });
    await listFolder(ctx(client), 3, '', undefined);
    expect(calls).toEqual({ folderLs: 1, fileLs: 0 });
  });
});
