/**
 * Test helper: a throw-away node:http server on 127.0.0.1:0 that records every request and lets each
 * test answer just what it needs. Not used by production code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { FichierClient, type FichierClientOptions } from '../../src/api/client.ts';
import { createPacer, type PacerOptions } from '../../src/api/pacer.ts';
import { Secret } from '../../src/util/secret.ts';

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  /** Full body (empty when the handler streamed it itself). */
  body: Buffer;
}

/**
 * `buffered` handlers get the whole body; `streaming` handlers get the raw request (body unread) and must
 * consume it themselves.
 */
export type Handler =
  | { buffered: (req: RecordedRequest, res: ServerResponse) => unknown }
  | { streaming: (req: IncomingMessage, res: ServerResponse, record: RecordedRequest) => unknown };

export interface TestServer {
  origin: string;
  /** `${origin}/v1` */
  base: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const record: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) };
    requests.push(record);
    const fail = (err: unknown) => {
      if (!res.headersSent) res.writeHead(599);
      res.end(String(err));
    };
    if ('streaming' in handler) {
      Promise.resolve(handler.streaming(req, res, record)).catch(fail);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      record.body = Buffer.concat(chunks);
      Promise.resolve(handler.buffered(record, res)).catch(fail);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: `${origin}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes an HTML answer. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export interface ServedClient {
  server: TestServer;
  /** A client of `server`'s API base with the test's key. */
  client: FichierClient;
}

/**
 * A recording server and a client on it, started per test by the function this returns and closed after each
 * test. The client's pacer does not space calls or listings (a recording server has no rules) and backs off for milliseconds, unless `pacer` says otherwise.
 * Call at the top level of a test file.
 */
export function serverPerTest(key: string): (handler: Handler, opts?: Omit<FichierClientOptions, 'apiKey' | 'baseUrl' | 'pacer'> & { pacer?: PacerOptions }) => Promise<ServedClient> {
  let current: ServedClient | undefined;
  afterEach(async () => {
    await current?.client.close();
    await current?.server.close();
    current = undefined;
  });
  return async (handler, { pacer, ...opts } = {}) => {
    const server = await startServer(handler);
    const client = new FichierClient({
      ...opts,
      apiKey: new Secret(key),
      baseUrl: server.base,
      pacer: createPacer({ minIntervalMs: 0, listIntervalMs: 0, listFolderIntervalMs: 0, backoffBaseMs: 1, backoffMaxMs: 5, ...pacer }),
    });
    current = { server, client };
    return current;
  };
}
