import { buffer as collect } from 'node:stream/consumers';
import { describe, it, expect } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { FichierApiError } from './errors.ts';
import type { ApiObserver } from './observer.ts';
import { sendJson, type RecordedRequest, serverPerTest, type TestServer } from '../../test/support/recording-server.ts';

const KEY = 'ObserverKey_0123456789abcdefghij';
const FILE = Buffer.alloc(300_000, 7);


interface Recorder extends ApiObserver {
  calls: [string, string][];
  bytes: { up: number; down: number };
}

function recorder(): Recorder {
  const r: Recorder = {
    calls: [],
    bytes: { up: 0, down: 0 },
    apiCall(endpoint, outcome, ms) {
      expect(ms).toBeGreaterThanOrEqual(0);
      r.calls.push([endpoint, outcome]);
    },
    transfer(direction, n) {
      r.bytes[direction] += n;
    },
  };
  return r;
}

/** A server answering folder/ls with `lsAnswers` in turn (then OK), the upload steps, and FILE at /tok/*. */
const serve = serverPerTest(KEY);
let server: TestServer | undefined;

async function setup(observer: ApiObserver, lsAnswers: [number, unknown][] = [], downloadConcurrency = 8) {
  let uploaded = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse, _record: RecordedRequest) => {
    const url = req.url ?? '';
    const body = await collect(req);
    if (url.startsWith('/v1/folder/ls.cgi')) {
      const [status, answer] = lsAnswers.shift() ?? [200, { status: 'OK', folder_id: 0, name: 'root', sub_folders: [] }];
      return sendJson(res, status, answer);
    }
    if (url.startsWith('/v1/file/info.cgi')) return; // never answers: the caller aborts
    if (url.startsWith('/v1/upload/get_upload_server.cgi')) return sendJson(res, 200, { url: 'up2.1fichier.com', id: 'Abc123' });
    if (url.startsWith('/upload.cgi')) {
      uploaded = FILE.length;
      expect(body.length).toBeGreaterThan(FILE.length);
      res.writeHead(302, { location: '/end.pl?xid=Abc123', 'content-length': 0 });
      return res.end();
    }
    if (url.startsWith('/end.pl')) {
      const link = { download: 'https://1fichier.com/?newfile01', filename: 'f.bin', size: String(uploaded), whirlpool: 'ab'.repeat(64), remove: '' };
      return sendJson(res, 200, { incoming: 0, links: [link] });
    }
    if (url.startsWith('/tok/')) {
      res.writeHead(200, { 'content-length': FILE.length, 'content-type': 'application/octet-stream' });
      return res.end(FILE);
    }
    sendJson(res, 404, { status: 'KO', message: 'Resource not found #469' });
  };
  const served = await serve({ streaming: handle }, { pacer: { backoffMaxMs: 2 }, downloadConcurrency, observer });
  server = served.server;
  return served;
}

describe('ApiObserver', () => {
  it('reports every attempt of a call, a retried attempt by its error kind', async () => {
    const obs = recorder();
    const { client } = await setup(obs, [
      [503, { status: 'KO', message: 'busy' }],
      [502, { status: 'KO', message: 'busy' }],
    ]);
    await client.folderLs(0);
    expect(obs.calls).toEqual([
      ['folder/ls.cgi', 'server'],
      ['folder/ls.cgi', 'server'],
      ['folder/ls.cgi', 'ok'],
    ]);
  });

  it('reports a KO answer by its kind, an abort as aborted', async () => {
    const obs = recorder();
    const { client } = await setup(obs, [[200, { status: 'KO', message: 'Resource not found #469' }]]);
    await expect(client.folderLs(5)).rejects.toMatchObject({ kind: 'not-found' });
    const ac = new AbortController();
    const pending = client.fileInfo('https://1fichier.com/?abcde', ac.signal);
    await expect.poll(() => server?.requests.some((r) => r.url.startsWith('/v1/file/info.cgi'))).toBe(true);
    ac.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    expect(obs.calls).toEqual([
      ['folder/ls.cgi', 'not-found'],
      ['file/info.cgi', 'aborted'],
    ]);
  });

  it('reports the upload steps and the bytes sent', async () => {
    const obs = recorder();
    const { client } = await setup(obs);
    const file = await client.upload(Readable.from([FILE.subarray(0, 100_000), FILE.subarray(100_000)]), { filename: 'f.bin', size: FILE.length, folderId: 0 });
    expect(file.size).toBe(FILE.length);
    expect(obs.calls).toEqual([
      ['upload/get_upload_server.cgi', 'ok'],
      ['upload.cgi', 'ok'],
      ['end.pl', 'ok'],
    ]);
    expect(obs.bytes).toEqual({ up: FILE.length, down: 0 });
  });

  it('counts download bytes as they flow and frees the slot when the body is destroyed early', async () => {
    const obs = recorder();
    const { client } = await setup(obs, [], 1);
    const whole = await client.download('https://a-1.1fichier.com/tok/x');
    const chunks: Buffer[] = [];
    for await (const c of whole.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(FILE)).toBe(true);
    expect(obs.bytes.down).toBe(FILE.length);

    const early = await client.download('https://a-1.1fichier.com/tok/y');
    early.body.destroy();
    const again = await client.download('https://a-1.1fichier.com/tok/z');
    again.body.resume();
    await new Promise((resolve) => again.body.once('end', resolve));
    expect(obs.calls.filter(([e]) => e === 'download').map(([, o]) => o)).toEqual(['ok', 'ok', 'ok']);
  });

  it('reports a failed download by kind', async () => {
    const obs = recorder();
    const { client } = await setup(obs);
    await expect(client.download('https://a-1.1fichier.com/nope')).rejects.toBeInstanceOf(FichierApiError);
    expect(obs.calls).toEqual([['download', 'not-found']]);
  });

  it('ignores an observer that throws', async () => {
    const throwing: ApiObserver = {
      apiCall() {
        throw new Error('metrics broke');
      },
      transfer() {
        throw new Error('metrics broke');
      },
    };
    const { client } = await setup(throwing);
    await expect(client.folderLs(0)).resolves.toMatchObject({ status: 'OK' });
    const d = await client.download('https://a-1.1fichier.com/tok/x');
    let n = 0;
    for await (const c of d.body) n += (c as Buffer).length;
    expect(n).toBe(FILE.length);
  });
});
