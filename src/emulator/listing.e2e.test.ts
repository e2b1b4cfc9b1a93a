import { afterEach, describe, expect, it } from 'vitest';
import { formatWireDate, parseWireDate, type FileEntry } from '../api/types.ts';
import { FakeClock } from '../util/clock.ts';
import { start, type Started } from '../../test/support/emulator-http.ts';

/** Capped listings, paging with sent_before / sent_after, and Paris wire dates. */

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const N = 12_000;
const CAP = 5000;
const FOLDER_WAIT = 30_000;

type Ls = { status: number; json: { count: number; items: FileEntry[] } };

async function bigFolder(config: Record<string, unknown> = {}): Promise<{ s: Started; clock: FakeClock; id: number }> {
  const clock = new FakeClock(Date.UTC(2024, 5, 1, 12));
  s = await start({ clock, profile: 'realistic', config });
  const id = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { folder_id: 0, name: 'big' })).json.folder_id;
  // 4 files per second: a page boundary falls inside a second, which the inclusive bounds then repeat.
  await s.admin('seed/files', { folderId: id, count: N, spacingMs: 250 });
  return { s, clock, id };
}

const nameIndex = (f: FileEntry) => Number(/(\d+)\.txt$/.exec(f.filename)![1]);

describe('listings of a 12,000-file folder, within the realistic rules', () => {
  it('file/ls answers the newest 5,000 in upload order; paging back with sent_before (30 s apart) gets all 12,000 without a ban', async () => {
    const { s, clock, id } = await bigFolder();
    const seen = new Map<string, FileEntry>();
    let filter: { sent_before?: string } = {};
    let pages = 0;
    for (;;) {
      const page = (await s.api('file/ls.cgi', { folder_id: id, ...filter })) as Ls;
      expect(page.status).toBe(200);
      pages++;
      const idx = page.json.items.map(nameIndex);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      if (pages === 1) {
        expect(page.json.count).toBe(CAP);
        expect(idx[0]).toBe(N - CAP);
        expect(idx.at(-1)).toBe(N - 1);
      }
      const before = seen.size;
      for (const f of page.json.items) seen.set(f.url, f);
      if (page.json.count < CAP || seen.size === before) break;
      const oldest = page.json.items.map((f) => f.date).sort()[0]!;
      filter = { sent_before: oldest };
      await clock.advance(FOLDER_WAIT);
    }
    expect(seen.size).toBe(N);
    expect(pages).toBe(3);
    expect(s.emu.stats()).toMatchObject({ bans: 0, rejected: 0 });
  });

  it('with listKeep oldest, the oldest 5,000 come first and sent_after pages forward', async () => {
    const { s, clock, id } = await bigFolder({ listKeep: 'oldest' });
    const seen = new Set<string>();
    let filter: { sent_after?: string } = {};
    for (let pages = 1; ; pages++) {
      const page = (await s.api('file/ls.cgi', { folder_id: id, ...filter })) as Ls;
      if (pages === 1) expect(page.json.items.map(nameIndex).slice(0, 1)).toEqual([0]);
      const before = seen.size;
      page.json.items.forEach((f) => seen.add(f.url));
      if (page.json.count < CAP || seen.size === before) break;
      filter = { sent_after: page.json.items.map((f) => f.date).sort().at(-1)! };
      await clock.advance(FOLDER_WAIT);
    }
    expect(seen.size).toBe(N);
    expect(s.emu.stats().bans).toBe(0);
  });

  it('folder/ls with files: 1 is capped at 5,000 entries too (sub-folders first, then the newest files)', async () => {
    const { s, id } = await bigFolder();
    await s.admin('config', { listLimit: CAP });
    const ls = await s.api<{ sub_folders?: unknown[]; items: FileEntry[] }>('folder/ls.cgi', { folder_id: id, files: 1 });
    expect(ls.json.sub_folders).toBeUndefined();
    expect(ls.json.items).toHaveLength(CAP);
    expect(nameIndex(ls.json.items.at(-1)!)).toBe(N - 1);
  });

  it('sent_after and sent_before are inclusive to the second, alone or together', async () => {
    const { s, clock, id } = await bigFolder();
    const seededAt = clock.now();
    const dateOf = (i: number) => formatWireDate(new Date(seededAt - (N - 1 - i) * 250));
    // The last file is dated on a whole second, so files 403..406 share one second and 407..410 the next.
    expect(dateOf(403)).toBe(dateOf(406));
    expect(dateOf(406)).not.toBe(dateOf(407));
    const window = (await s.api('file/ls.cgi', { folder_id: id, sent_after: dateOf(404), sent_before: dateOf(407) })) as Ls;
    expect(window.json.items.map(nameIndex)).toEqual([403, 404, 405, 406, 407, 408, 409, 410]);
    await clock.advance(FOLDER_WAIT);
    const tail = (await s.api('file/ls.cgi', { folder_id: id, sent_after: dateOf(N - 2) })) as Ls;
    expect(tail.json.items.map(nameIndex)).toEqual([N - 5, N - 4, N - 3, N - 2, N - 1]);
    await clock.advance(FOLDER_WAIT);
    expect((await s.api('file/ls.cgi', { folder_id: id, sent_before: 'yesterday' })).status).toBe(400);
  });

  it('lenient file/ls is not capped', async () => {
    s = await start({ clock: new FakeClock() });
    await s.admin('seed/files', { folderId: 0, count: 6000, spacingMs: 0 });
    expect(((await s.api('file/ls.cgi', { folder_id: 0 })) as Ls).json.count).toBe(6000);
  });
});

describe('wire dates in Paris time', () => {
  const instants = [
    Date.UTC(2024, 0, 15, 12, 0, 0, 400),
    Date.UTC(2024, 2, 31, 0, 59, 59),
    Date.UTC(2024, 2, 31, 1, 0, 0),
    Date.UTC(2024, 6, 14, 22, 30, 0),
    Date.UTC(2024, 9, 27, 0, 59, 59),
    Date.UTC(2024, 9, 27, 2, 0, 0),
  ];

  it("the client's parse of the emulator's dates gives back each instant (to the second) across both DST changes", async () => {
    const clock = new FakeClock(instants[0]);
    s = await start({ clock });
    const made: { url: string; folder: number; at: number }[] = [];
    for (const at of instants) {
      await clock.advance(at - clock.now());
      const folder = (await s.api<{ folder_id: number }>('folder/mkdir.cgi', { folder_id: 0, name: `f${at}` })).json.folder_id;
      const [link] = await s.upload([{ name: `${at}.txt`, data: 'x' }], folder);
      made.push({ url: link!.download, folder, at });
    }
    const subs = (await s.api<{ sub_folders: { id: number; create_date: string }[] }>('folder/ls.cgi', { folder_id: 0 })).json.sub_folders;
    for (const m of made) {
      const want = Math.floor(m.at / 1000) * 1000;
      const [entry] = ((await s.api('file/ls.cgi', { folder_id: m.folder })) as Ls).json.items;
      expect(parseWireDate(entry!.date)?.getTime(), new Date(m.at).toISOString()).toBe(want);
      expect(parseWireDate(subs.find((f) => f.id === m.folder)!.create_date)?.getTime()).toBe(want);
    }
    const [winter] = ((await s.api('file/ls.cgi', { folder_id: made[0]!.folder })) as Ls).json.items;
    expect(winter!.date).toBe('2024-01-15 13:00:00');
    const [summer] = ((await s.api('file/ls.cgi', { folder_id: made[3]!.folder })) as Ls).json.items;
    expect(summer!.date).toBe('2024-07-15 00:30:00');
  });

  it('sent_after is read as Paris time: the boundary file of a summer night is in, the one before is out', async () => {
    const clock = new FakeClock(Date.UTC(2024, 6, 14, 21, 59, 59));
    s = await start({ clock });
    await s.upload([{ name: 'before.txt', data: 'x' }]);
    await clock.advance(1000);
    await s.upload([{ name: 'after.txt', data: 'x' }]);
    // 22:00:00 UTC is midnight in Paris (CEST).
    const r = (await s.api('file/ls.cgi', { folder_id: 0, sent_after: '2024-07-15 00:00:00' })) as Ls;
    expect(r.json.items.map((f) => f.filename)).toEqual(['after.txt']);
  });

  it('the repeated autumn hour reads as its first occurrence: two files an hour apart show the same wire date', async () => {
    const clock = new FakeClock(Date.UTC(2024, 9, 27, 0, 30));
    s = await start({ clock });
    await s.upload([{ name: 'cest.txt', data: 'x' }]);
    await clock.advance(3_600_000);
    await s.upload([{ name: 'cet.txt', data: 'x' }]);
    const items = ((await s.api('file/ls.cgi', { folder_id: 0 })) as Ls).json.items;
    expect(items.map((f) => f.date)).toEqual(['2024-10-27 02:30:00', '2024-10-27 02:30:00']);
    expect(parseWireDate(items[1]!.date)?.getTime()).toBe(Date.UTC(2024, 9, 27, 0, 30));
  });
});
