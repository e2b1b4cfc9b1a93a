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

/**
 * A client over the files `all` (in upload order) answering like a capped service: folder/ls gives `subs` and
 * the `keep` (newest or oldest n) files that fit in `cap` entries, file/ls those of the files inside its date filter; `filters` records
 * every file/ls filter.
 */
function pagingClient(all: FileEntry[], keep: (rows: FileEntry[], n: number) => FileEntry[], subs: FolderLsResponse['sub_folders'] & object, cap: number) {
  const calls = { folderLs: 0, fileLs: 0 };
  const filters: { sentBefore?: string; sentAfter?: string }[] = [];
  const client = {
    folderLs: async (id: number): Promise<FolderLsResponse> => {
      calls.folderLs++;
      const items = keep(all, cap - subs.length);
      return { status: 'OK', folder_id: id, name: 'x', ...(subs.length > 0 ? { sub_folders: subs } : {}), items };
    },
    fileLs: async (_id: number, f: { sentBefore?: string; sentAfter?: string }): Promise<FileLsResponse> => {
      calls.fileLs++;
      filters.push({ ...(f.sentBefore ? { sentBefore: f.sentBefore } : {}), ...(f.sentAfter ? { sentAfter: f.sentAfter } : {}) });
      const rows = all.filter((x) => (f.sentBefore === undefined || x.date <= f.sentBefore) && (f.sentAfter === undefined || x.date >= f.sentAfter));
      const items = keep(rows, cap);
      return { status: 'OK', count: items.length, items };
    },
  } as unknown as FichierClient;
  return { client, calls, filters };
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
    const { entries } = await listFolder(ctx(client), 3, 'top');
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
    expect((await listFolder(ctx(client), 3, '')).entries.map((e) => e.path)).toEqual(['f5']);
    expect(calls).toEqual({ folderLs: 1, fileLs: 1 });
  });

  it('no items key but a files count of 0: no file/ls', async () => {
    const { client, calls } = fakeClient({ files: 0 }, [file(5)]);
    expect(await listFolder(ctx(client), 3, '')).toEqual({ entries: [] });
    expect(calls).toEqual({ folderLs: 1, fileLs: 0 });
  });

  it('at the cap, pages back in time with sent_before and merges the pages by URL (the service kept the newest)', async () => {
    const cap = 10;
    // 25 files, one per minute; each answer keeps the newest `cap` of those matching its filter.
    const all = Array.from({ length: 25 }, (_, i) => file(i, { date: `2024-01-02 03:${String(i + 10).padStart(2, '0')}:00` }));
    const newest = (rows: FileEntry[], n: number) => rows.slice(-n);
    const { client, calls, filters } = pagingClient(all, newest, [{ id: 100, name: 'd', create_date: '2024-01-01 00:00:00', pass: 0 }], cap);
    const lines: string[] = [];
    const listed = await listFolder({ ...ctx(client, lines), cap }, 3, 'big');
    expect(listed.partial).toBeUndefined();
    expect(listed.entries.filter((e) => e.kind === 'file').map((e) => e.size).sort((a, b) => a - b)).toEqual(all.map((f) => f.size));
    expect(filters).toEqual([{ sentBefore: '2024-01-02 03:26:00' }, { sentBefore: '2024-01-02 03:17:00' }]);
    expect(calls).toEqual({ folderLs: 1, fileLs: 2 });
  });

  it('pages forward with sent_after when the first answer kept the oldest files', async () => {
    const cap = 10;
    const all = Array.from({ length: 25 }, (_, i) => file(i, { date: `2024-01-02 03:${String(i + 10).padStart(2, '0')}:00` }));
    const oldest = (rows: FileEntry[], n: number) => rows.slice(0, n);
    const { client, filters } = pagingClient(all, oldest, [], cap);
    const listed = await listFolder({ ...ctx(client), cap }, 3, '');
    expect(listed.entries).toHaveLength(25);
    expect(filters).toEqual([{ sentBefore: '2024-01-02 03:10:00' }, { sentAfter: '2024-01-02 03:19:00' }, { sentAfter: '2024-01-02 03:28:00' }]);
  });

  it('is partial when more files than one answer holds share one upload second', async () => {
    const cap = 10;
    const all = Array.from({ length: 25 }, (_, i) => file(i));
    const { client } = pagingClient(all, (rows, n) => rows.slice(-n), [], cap);
    const listed = await listFolder({ ...ctx(client), cap }, 3, '');
    expect(listed.partial).toMatch(/one upload second/);
    expect(listed.entries.length).toBeGreaterThanOrEqual(cap);
  });

  it('below the cap no second call', async () => {
    const { client, calls } = fakeClient({ items: Array.from({ length: FOLDER_LS_CAP - 1 }, (_, i) => file(i)) });
    await listFolder(ctx(client), 3, '');
    expect(calls).toEqual({ folderLs: 1, fileLs: 0 });
  });
});
