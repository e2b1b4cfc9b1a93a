/**
 * The HTTP transport against a loopback server: keep-alive, a fresh connection on demand, the idle timeout,
 * abort, a failing streamed body, and close() waiting for what is in flight.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import { FichierApiError } from './errors.ts';
import { HttpTransport, IDLE_TIMEOUT_CODE, readText } from './http.ts';

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

let server: http.Server | undefined;
const transports: HttpTransport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server that records each request and answers it with `answer` (or never, when it returns false). */
async function serve(answer: (seen: Seen, res: http.ServerResponse) => boolean | void = (_s, res) => void res.end('ok')): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const s = { method: req.method ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), socket: req.socket };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

function transport(extra: { idleTimeoutMs?: number } = {}): HttpTransport {
  const t = new HttpTransport({ apiKey: new Secret('k3y-under-test'), userAgent: 'test', logger: silentLogger, ...extra });
  transports.push(t);
  return t;
}

describe('HttpTransport', () => {
  it('sends the key and a JSON body, and keeps one connection alive across requests', async () => {
    const { url, seen } = await serve();
    const t = transport();
    for (let i = 0; i < 3; i++) {
      const r = await t.exchange({ endpoint: 'file/ls.cgi', url, method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"n":${i}}` });
      expect([r.status, r.text]).toEqual([200, 'ok']);
    }
    expect(seen.map((s) => s.body)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
    expect(seen[0]!.headers.authorization).toBe('Bearer k3y-under-test');
    expect(seen[0]!.headers['content-length']).toBe('7');
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
  });

  it('sends a fresh request alone on a new connection, closed after it', async () => {
    const { url, seen } = await serve();
    const t = transport();
    await t.exchange({ endpoint: 'a', url, method: 'GET' });
    await t.exchange({ endpoint: 'upload.cgi', url, method: 'POST', body: 'x', fresh: true });
    expect(seen[1]!.headers.connection).toBe('close');
    expect(seen[1]!.socket).not.toBe(seen[0]!.socket);
  });

  it('streams an async iterable body, and a failing source rejects with its error without a hang', async () => {
    const { url, seen } = await serve();
    const t = transport();
    async function* parts(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('one,');
      yield Buffer.from('two');
    }
    const r = await t.exchange({ endpoint: 'up', url, method: 'POST', headers: { 'content-length': '7' }, body: parts() });
    expect([r.status, seen[0]!.body]).toEqual([200, 'one,two']);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('half');
      throw new Error('source broke');
    }
    const err = await t.send({ endpoint: 'up', url, method: 'POST', headers: { 'content-length': '100' }, body: failing() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FichierApiError);
    expect((err as FichierApiError).kind).toBe('transport');
    expect(seen).toHaveLength(1);
  });

  it('gives up on a server that sends nothing after the idle timeout, with a retryable error that names no key', async () => {
    const { url } = await serve(() => false);
    const t = transport({ idleTimeoutMs: 150 });
    const started = Date.now();
    const err = (await t.send({ endpoint: 'file/ls.cgi', url, method: 'POST', body: '{}' }).catch((e: unknown) => e)) as FichierApiError;
    expect(Date.now() - started).toBeLessThan(5000);
    expect([err.kind, err.retryable, (err.cause as { code?: string }).code]).toEqual(['transport', true, IDLE_TIMEOUT_CODE]);
    expect(`${err.message} ${String(err.stack)}`).not.toContain('k3y-under-test');
  });

  it('rejects with the signal reason on abort', async () => {
    const { url } = await serve(() => false);
    const t = transport();
    const ac = new AbortController();
    const p = t.send({ endpoint: 'x', url, method: 'GET', signal: ac.signal });
    setTimeout(() => ac.abort(new Error('caller gave up')), 50);
    await expect(p).rejects.toThrow('caller gave up');
  });

  it('close() waits for an answer still being read, then refuses new requests', async () => {
    const { url } = await serve((_s, res) => {
      res.write('first ');
      setTimeout(() => res.end('last'), 200);
    });
    const t = transport();
    const res = await t.send({ endpoint: 'download', url, method: 'GET' });
    let closed = false;
    const closing = t.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    expect(await readText(res.body as Readable, { endpoint: 'download' }, 1024)).toBe('first last');
    await closing;
    const err = (await t.send({ endpoint: 'x', url, method: 'GET' }).catch((e: unknown) => e)) as FichierApiError;
    expect(err.kind).toBe('transport');
  });
});
