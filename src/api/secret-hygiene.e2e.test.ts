import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { inspect } from 'node:util';
import { Readable } from 'node:stream';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { FichierClient } from './client.ts';
import { createPacer } from './pacer.ts';
import { Secret } from '../util/secret.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { startServer, sendJson, sendHtml, type TestServer } from '../../test/support/recording-server.ts';

const KEY = 'LEAKME_Zq9xW8vU7tS6rR5pQ4oN3mL2';
const lines: string[] = [];
let server: TestServer;
let deadBase: string;

beforeAll(async () => {
  server = await startServer({
    buffered: (req, res) => {
      const p = req.url;
      if (p.includes('user/info')) return sendJson(res, 401, { status: 'KO', message: 'Not authenticated #247' });
      if (p.includes('file/ls')) return sendJson(res, 403, { status: 'KO', message: 'Flood detected: IP Locked #374' });
      if (p.includes('file/info')) return sendJson(res, 404, { status: 'KO', message: 'Resource not found #469' });
      if (p.includes('folder/ls')) return sendJson(res, 500, { status: 'KO', message: 'Internal error' });
      if (p.includes('folder/rm')) return sendHtml(res, 200, '<html><body>Software error</body></html>');
      if (p.includes('file/rm')) return res.socket?.destroy();
      if (p.includes('get_upload_server')) return sendJson(res, 200, { url: 'up.1fichier.com', id: 'Abc1' });
      if (p.startsWith('/upload.cgi')) return sendJson(res, 403, { status: 'KO', message: 'Not authenticated #247' });
      if (p.startsWith('/tok')) return sendHtml(res, 503, '<p>Our services are in maintenance</p>');
      sendJson(res, 400, { status: 'KO', message: 'unexpected' });
    },
  });
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  deadBase = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/v1`;
  await new Promise<void>((r) => probe.close(() => r()));
});

afterAll(async () => {
  await server.close();
});

function makeClient(baseUrl: string, logger: Logger): FichierClient {
  return new FichierClient({
    apiKey: new Secret(KEY),
    baseUrl,
    logger,
    pacer: createPacer({ minIntervalMs: 0, listIntervalMs: 0, listFolderIntervalMs: 0, backoffBaseMs: 1, backoffMaxMs: 2, floodCooldownMs: 2, floodEscalatedCooldownMs: 2, maxAttempts: 2, logger }),
  });
}

function assertClean(label: string, text: string): void {
  expect(text.includes(KEY), `${label} leaks the key`).toBe(false);
}

describe('the API key never leaks', () => {
  it('through errors, inspect, JSON or logs, whatever fails', async () => {
    const sink = { write: (l: string) => lines.push(l) };
    const raw: string[] = [];
    // An unredacted pino too: the client must never even hand the key to a logger.
    const rawLogger = pino({ level: 'trace' }, { write: (l: string) => raw.push(l) });
    const logger = createLogger({ level: 'trace', format: 'json', destination: sink });
    const client = makeClient(server.base, logger);
    const rawClient = makeClient(server.base, rawLogger);
    const dead = makeClient(deadBase, rawLogger);

    const failures: [string, () => Promise<unknown>][] = [
      ['401', () => client.userInfo()],
      ['403 flood', () => client.fileLs(0)],
      ['404', () => client.fileInfo('https://1fichier.com/?abcde')],
      ['500', () => client.folderLs(0)],
      ['html', () => client.folderRm(1)],
      ['socket reset', () => client.fileRm(['https://1fichier.com/?abcde'])],
      ['refused', () => dead.fileLs(0)],
      ['upload', () => rawClient.upload(Readable.from([Buffer.from('abc')]), { filename: 'a', size: 3, folderId: 0 })],
      ['download', () => rawClient.download(`${server.origin}/tok/x`)],
      ['raw 401', () => rawClient.userInfo()],
    ];
    const kinds: string[] = [];
    for (const [label, fn] of failures) {
      const err = await fn().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, label).toBeInstanceOf(Error);
      const e = err as Error & { kind?: string };
      kinds.push(e.kind ?? 'none');
      assertClean(`${label} message`, e.message);
      assertClean(`${label} stack`, e.stack ?? '');
      assertClean(`${label} inspect`, inspect(e, { depth: 10, showHidden: true }));
      assertClean(`${label} JSON`, JSON.stringify(e));
    }
    expect(kinds).toEqual(['auth', 'flood', 'not-found', 'server', 'protocol', 'transport', 'transport', 'auth', 'server', 'auth']);
    for (const c of [client, rawClient, dead]) {
      assertClean('client inspect', inspect(c, { depth: 10, showHidden: true }));
      assertClean('client JSON', JSON.stringify(c));
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(raw.length).toBeGreaterThan(0);
    for (const l of [...lines, ...raw]) assertClean('log line', l);
    await Promise.all([client.close(), rawClient.close(), dead.close()]);
  });
});
