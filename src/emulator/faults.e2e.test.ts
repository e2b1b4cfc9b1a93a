import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from './faults.ts';
import { seededRandom } from '../util/random.ts';
import { skippingClock } from '../../test/support/clocks.ts';
import { KEY, start, type Started } from '../../test/support/emulator-http.ts';

let s: Started | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

describe('Faults', () => {
  it('failNext consumes matching rules in order; "*" matches any endpoint', () => {
    const f = new Faults(() => 1);
    f.merge({ failNext: [{ endpoint: 'folder/ls.cgi', count: 2, status: 503 }] });
    f.merge({ failNext: [{ endpoint: '*', count: 1, status: 500, message: 'boom #500' }] });
    expect(f.takeFailure('file/ls.cgi')?.message).toBe('boom #500');
    expect(f.takeFailure('folder/ls.cgi')?.httpStatus).toBe(503);
    expect(f.takeFailure('folder/ls.cgi')?.httpStatus).toBe(503);
    expect(f.takeFailure('folder/ls.cgi')).toBeUndefined();
  });

  it('failProbability draws from the injected random', () => {
    const f = new Faults(seededRandom(42));
    f.merge({ failProbability: { p: 0.5, status: 502 } });
    const hits = Array.from({ length: 200 }, () => f.takeFailure('x')).filter((e) => e?.httpStatus === 502).length;
    expect(hits).toBeGreaterThan(60);
    expect(hits).toBeLessThan(140);
    const g = new Faults(seededRandom(42));
    g.merge({ failProbability: { p: 0.5, status: 502 } });
    expect(Array.from({ length: 200 }, () => g.takeFailure('x')).filter(Boolean).length).toBe(hits);
  });

  it('rejects invalid settings with a 400 KoError', () => {
    const f = new Faults(Math.random);
    expect(() => f.merge({ failNext: [{ status: 99 }] })).toThrow(expect.objectContaining({ httpStatus: 400 }));
    expect(() => f.merge({ resetMidBody: { target: 'sideways', afterBytes: 1 } })).toThrow(expect.objectContaining({ httpStatus: 400 }));
  });
});

describe('faults over HTTP', () => {
  it('failNext answers the injected status with a KO body, then recovers', async () => {
    s = await start();
    expect((await s.admin('faults', { failNext: [{ endpoint: 'folder/ls.cgi', count: 1, status: 503 }] })).status).toBe(200);
    const r = await s.api<{ status: string; message: string }>('folder/ls.cgi', { folder_id: 0 });
    expect(r.status).toBe(503);
    expect(r.json.status).toBe('KO');
    expect(r.json.message).toMatch(/#503$/);
    expect((await s.api('folder/ls.cgi', { folder_id: 0 })).status).toBe(200);
  });

  it('failNext on upload and download', async () => {
    s = await start();
    const [l] = await s.upload([{ name: 'f', data: 'data' }]);
    s.emu.control.setFaults({ failNext: [{ endpoint: 'download', count: 1, status: 500 }, { endpoint: 'upload', count: 1, status: 503 }] });
    expect((await s.download(l!.download)).status).toBe(500);
    expect((await s.download(l!.download)).status).toBe(200);
    await expect(s.upload([{ name: 'g', data: 'x' }])).rejects.toThrow(/503/);
    expect((await s.upload([{ name: 'g', data: 'x' }])).length).toBe(1);
  });

  it('endPlHtml: the next end.pl JSON requests answer the wait page', async () => {
    s = await start();
    const [l] = await s.upload([{ name: 'f', data: 'data' }]);
    expect(l).toBeDefined();
    const id = (await s.api<{ id: string }>('upload/get_upload_server.cgi', {})).json.id;
    s.emu.control.setFaults({ endPlHtml: { count: 1 } });
    const headers = { authorization: `Bearer ${KEY}`, JSON: '1' };
    const first = await fetch(`${s.url}/end.pl?xid=${id}`, { headers });
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/Veuillez patienter/);
    const second = await fetch(`${s.url}/end.pl?xid=${id}`, { headers });
    expect(((await second.json()) as { links: unknown[] }).links).toEqual([]);
  });

  it('resetMidBody cuts a download after afterBytes', async () => {
    s = await start();
    const data = Buffer.alloc(300_000, 1);
    const [l] = await s.upload([{ name: 'big', data }]);
    s.emu.control.setFaults({ resetMidBody: { target: 'download', count: 1, afterBytes: 1000 } });
    const r = await s.download(l!.download);
    expect(r.status).toBe(200);
    await expect(r.arrayBuffer()).rejects.toThrow();
    const ok = await s.download(l!.download);
    expect((await ok.arrayBuffer()).byteLength).toBe(data.length);
  });

  it('resetMidBody on upload stores nothing', async () => {
    s = await start();
    s.emu.control.setFaults({ resetMidBody: { target: 'upload', count: 1, afterBytes: 500 } });
    await expect(s.upload([{ name: 'big', data: Buffer.alloc(100_000, 2) }])).rejects.toThrow();
    expect((await s.api<{ count: number }>('file/ls.cgi', { folder_id: -1 })).json.count).toBe(0);
  });

  it('resetAfterUpload stores the file, then resets the connection instead of answering', async () => {
    s = await start();
    s.emu.control.setFaults({ resetAfterUpload: { count: 1 } });
    await expect(s.upload([{ name: 'kept', data: 'stored all the same' }])).rejects.toThrow();
    const ls = await s.api<{ items: { filename: string }[] }>('file/ls.cgi', { folder_id: -1 });
    expect(ls.json.items.map((f) => f.filename)).toEqual(['kept']);
    expect((await s.upload([{ name: 'next', data: 'x' }])).length).toBe(1);
  });

  it('endpointLatencyMs delays only that endpoint (waits on the injected clock)', async () => {
    const clock = skippingClock();
    s = await start({ clock });
    await s.admin('faults', { endpointLatencyMs: { 'file/ls.cgi': 150 } });
    await s.api('folder/ls.cgi', { folder_id: 0 });
    expect(clock.sleeps).toEqual([]);
    await s.api('file/ls.cgi', { folder_id: 0 });
    expect(clock.sleeps).toEqual([150]);
    await s.admin('faults/clear', {});
    await s.api('file/ls.cgi', { folder_id: 0 });
    expect(clock.sleeps).toEqual([150]);
  });

  it('bandwidth throttles downloads: 20 KB at 100 KB/s take 200 ms of the injected clock', async () => {
    const clock = skippingClock();
    s = await start({ clock });
    const [l] = await s.upload([{ name: 'b', data: Buffer.alloc(20_000, 3) }]);
    s.emu.control.setFaults({ bandwidth: { downBytesPerSec: 100_000 } });
    const t0 = clock.now();
    expect((await (await s.download(l!.download)).arrayBuffer()).byteLength).toBe(20_000);
    expect(clock.now() - t0).toBeCloseTo(200, 6);
  });
});
