import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

/**
 * Eventual consistency of the realistic profile (fake clock, rules off so that listings can be repeated):
 * listings lag behind uploads and deletions, folder/rm lags behind deletions, end.pl lags behind upload.cgi.
 */

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const NO_RULES = { listIntervalMs: 0, listFolderIntervalMs: 0 };

async function settling(config: Record<string, unknown> = {}): Promise<{ s: Started; clock: FakeClock }> {
  const clock = new FakeClock(1_700_000_000_000);
  s = await start({ clock, profile: 'realistic', limits: NO_RULES, config: { endPlNoLinksRatio: 0, endPlWaitPageRatio: 0, ...config } });
  return { s, clock };
}

async function listed(st: Started, folderId: number): Promise<string[]> {
  const ls = await st.api<{ items: { url: string }[] }>('file/ls.cgi', { folder_id: folderId });
  const fl = await st.api<{ items?: { url: string }[] }>('folder/ls.cgi', { folder_id: folderId, files: 1 });
  expect(fl.json.items?.map((i) => i.url)).toEqual(ls.json.items.map((i) => i.url));
  return ls.json.items.map((i) => i.url);
}

async function mkdir(st: Started, name: string): Promise<number> {
  return (await st.api<{ folder_id: number }>('folder/mkdir.cgi', { folder_id: 0, name })).json.folder_id;
}

describe('listing delays', () => {
  it('a new upload is listed 3 s after it was stored, not before; file/info and downloads see it at once', async () => {
    const { s, clock } = await settling({ downloadRedirectRatio: 0 });
    const d = await mkdir(s, 'new');
    const [link] = await s.upload([{ name: 'fresh.txt', data: 'fresh' }], d);
    expect(await listed(s, d)).toEqual([]);
    expect((await s.api('file/info.cgi', { url: link!.download })).status).toBe(200);
    expect(Buffer.from(await (await s.download(link!.download)).arrayBuffer()).toString()).toBe('fresh');
    await clock.advance(2999);
    expect(await listed(s, d)).toEqual([]);
    await clock.advance(1);
    expect(await listed(s, d)).toEqual([link!.download]);
  });

  it('a copy is a new file: listed after the same delay', async () => {
    const { s, clock } = await settling();
    const d = await mkdir(s, 'cp');
    const [link] = await s.upload([{ name: 'a.txt', data: 'a' }], d);
    await clock.advance(3000);
    const cp = await s.api<{ urls: { to_url: string }[] }>('file/cp.cgi', { urls: [link!.download], folder_id: d, rename: 'b.txt' });
    expect(await listed(s, d)).toEqual([link!.download]);
    await clock.advance(3000);
    expect(await listed(s, d)).toEqual([link!.download, cp.json.urls[0]!.to_url]);
  });

  it('a deleted file stays listed for 3 s (file/info already 404), then disappears', async () => {
    const { s, clock } = await settling();
    const d = await mkdir(s, 'gone');
    const [a, b] = await s.upload([{ name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b' }], d);
    await clock.advance(3000);
    expect((await s.api<{ removed: number }>('file/rm.cgi', { files: [{ url: a!.download }] })).json.removed).toBe(1);
    expect(await listed(s, d)).toEqual([a!.download, b!.download]);
    expect((await s.api('file/info.cgi', { url: a!.download })).status).toBe(404);
    expect((await s.api('download/get_token.cgi', { url: a!.download })).status).toBe(404);
    await clock.advance(2999);
    expect(await listed(s, d)).toEqual([a!.download, b!.download]);
    await clock.advance(1);
    expect(await listed(s, d)).toEqual([b!.download]);
  });

  it('a file deleted before it was ever listed never shows up', async () => {
    const { s, clock } = await settling();
    const d = await mkdir(s, 'never');
    const [a] = await s.upload([{ name: 'a.txt', data: 'a' }], d);
    await s.api('file/rm.cgi', { files: [{ url: a!.download }] });
    for (const step of [0, 1000, 2000, 3000]) {
      await clock.advance(step);
      expect(await listed(s, d)).toEqual([]);
    }
  });

  it('the delays follow the config, and are off in the lenient profile', async () => {
    const { s: instant } = await settling({ newFileListDelayMs: 0, deletedFileListDelayMs: 0 });
    const [a] = await instant.upload([{ name: 'a.txt', data: 'a' }]);
    expect(await listed(instant, 0)).toEqual([a!.download]);
    await instant.api('file/rm.cgi', { files: [{ url: a!.download }] });
    expect(await listed(instant, 0)).toEqual([]);
    await instant.stop();
    const lenient = await start({ clock: new FakeClock() });
    s = lenient;
    const [b] = await lenient.upload([{ name: 'b.txt', data: 'b' }]);
    expect(await listed(lenient, 0)).toEqual([b!.download]);
  });
});

describe('folder/rm after deleting the last file', () => {
  it('answers "not empty" (200 KO #906) for 2 s, then removes the folder', async () => {
    const { s, clock } = await settling();
    const d = await mkdir(s, 'rmwin');
    const [a] = await s.upload([{ name: 'a.txt', data: 'a' }], d);
    await s.api('file/rm.cgi', { files: [{ url: a!.download }] });
    expect((await s.api('folder/rm.cgi', { folder_id: d })).json).toEqual({ status: 'KO', message: 'Folder is not empty #906' });
    await clock.advance(1999);
    expect((await s.api('folder/rm.cgi', { folder_id: d })).json.status).toBe('KO');
    await clock.advance(1);
    expect((await s.api('folder/rm.cgi', { folder_id: d })).json.status).toBe('OK');
  });

  it('is immediate when folderRmDelayMs is 0 (lenient)', async () => {
    const { s } = await settling({ folderRmDelayMs: 0 });
    const d = await mkdir(s, 'rmnow');
    const [a] = await s.upload([{ name: 'a.txt', data: 'a' }], d);
    await s.api('file/rm.cgi', { files: [{ url: a!.download }] });
    expect((await s.api('folder/rm.cgi', { folder_id: d })).json.status).toBe('OK');
  });
});

describe('end.pl settling', () => {
  async function endPl(st: Started, xid: string): Promise<{ type: string; text: string }> {
    const res = await fetch(`${st.url}/end.pl?xid=${xid}`, { headers: { authorization: `Bearer ${KEY}`, JSON: '1' } });
    return { type: res.headers.get('content-type') ?? '', text: await res.text() };
  }

  /** Uploads one file without reading end.pl; returns the upload id. */
  async function uploadOnly(st: Started, name: string): Promise<string> {
    const auth = { authorization: `Bearer ${KEY}` };
    const srv = (await (await fetch(`${st.url}/v1/upload/get_upload_server.cgi`, { headers: auth })).json()) as { id: string };
    const form = new FormData();
    form.append('did', '0');
    form.append('file[]', new Blob([Buffer.from(`data of ${name}`)]), name);
    const up = await fetch(`${st.url}/upload.cgi?id=${srv.id}`, { method: 'POST', headers: auth, body: form, redirect: 'manual' });
    await up.arrayBuffer();
    expect(up.status).toBe(302);
    return srv.id;
  }

  it('without links for endPlSettleMs, then with them (the file is stored all along)', async () => {
    const { s, clock } = await settling({ endPlNoLinksRatio: 1 });
    const xid = await uploadOnly(s, 'slow.txt');
    expect(JSON.parse((await endPl(s, xid)).text)).toEqual({ incoming: 0, links: [] });
    await clock.advance(1999);
    expect(JSON.parse((await endPl(s, xid)).text).links).toEqual([]);
    await clock.advance(3000);
    expect(JSON.parse((await endPl(s, xid)).text).links.map((l: { filename: string }) => l.filename)).toEqual(['slow.txt']);
    expect(await listed(s, 0)).toHaveLength(1);
  });

  it('the "please wait" HTML page for endPlSettleMs when drawn so', async () => {
    const { s, clock } = await settling({ endPlWaitPageRatio: 1 });
    const xid = await uploadOnly(s, 'wait.txt');
    const first = await endPl(s, xid);
    expect(first.type).toMatch(/^text\/html/);
    expect(first.text).toMatch(/Please wait/);
    await clock.advance(2000);
    expect(JSON.parse((await endPl(s, xid)).text).links).toHaveLength(1);
  });

  it('which uploads settle slowly is drawn from the seed: reproducible, some of each', async () => {
    const phases = async (seed: number): Promise<string[]> => {
      const st = await start({ clock: new FakeClock(), profile: 'realistic', seed, limits: NO_RULES });
      try {
        const out: string[] = [];
        for (let i = 0; i < 24; i++) {
          const r = await endPl(st, await uploadOnly(st, `f${i}.txt`));
          out.push(r.type.startsWith('text/html') ? 'wait' : JSON.parse(r.text).links.length === 0 ? 'none' : 'ready');
        }
        return out;
      } finally {
        await st.stop();
      }
    };
    const a = await phases(11);
    expect(await phases(11)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['ready', 'none', 'wait']));
  });

  it('the endPlNoLinks fault answers without links for the next N end.pl calls', async () => {
    const { s } = await settling();
    await s.admin('faults', { endPlNoLinks: { count: 2 } });
    const xid = await uploadOnly(s, 'f.txt');
    expect(JSON.parse((await endPl(s, xid)).text).links).toEqual([]);
    expect(JSON.parse((await endPl(s, xid)).text).links).toEqual([]);
    expect(JSON.parse((await endPl(s, xid)).text).links).toHaveLength(1);
  });
});
