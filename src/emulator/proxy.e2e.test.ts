import dns from 'node:dns';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { Duplex } from 'node:stream';
import { join } from 'node:path';
import tls from 'node:tls';
import { ProxyAgent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { attachProxy, type ProxyHandle } from './proxy.ts';

/** Echoes what the handler saw, so tests can tell which host and transport a request arrived on. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    const encrypted = (req.socket as tls.TLSSocket).encrypted === true;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, encrypted }));
  });
}

/** Sends `CONNECT target` on a raw socket; resolves with the status line and the socket (still open when 200). */
function connectTunnel(port: number, target: string): Promise<{ status: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    });
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve({ status: buf.slice(0, buf.indexOf('\r\n')), socket });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) resolve();
    else socket.once('close', () => resolve());
  });
}

/** TLS over an established tunnel, trusting only our CA. */
function tlsOverTunnel(socket: net.Socket, servername: string, ca: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket, servername, ca, ALPNProtocols: ['http/1.1'] }, () => resolve(t));
    t.once('error', reject);
  });
}

describe('attachProxy', () => {
  let server: http.Server;
  let port: number;
  let proxy: ProxyHandle;
  let agent: ProxyAgent;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'fichier-proxy-'));
    server = http.createServer(echo);
    proxy = await attachProxy(server, echo, { dataDir, caOut: join(dataDir, 'out', 'ca.pem') });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    agent = new ProxyAgent({ uri: `http://127.0.0.1:${port}`, requestTls: { ca: proxy.caPem } });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await agent.close();
    proxy.closeTunnels();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the CA to caOut and keeps it in dataDir', async () => {
    expect(await readFile(join(dataDir, 'out', 'ca.pem'), 'utf8')).toBe(proxy.caPem);
    expect(await readFile(join(dataDir, 'ca-cert.pem'), 'utf8')).toBe(proxy.caPem);
  });

  it('serves https requests for 1fichier hosts through the tunnel without resolving their names', async () => {
    const lookup = vi.spyOn(dns, 'lookup');
    const api = await fetch('https://api.1fichier.com/v1/user/info.cgi', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '',
      dispatcher: agent,
    });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      method: 'POST',
      url: '/v1/user/info.cgi',
      host: 'api.1fichier.com',
      encrypted: true,
    });
    const dl = await fetch('https://a-3.1fichier.com/sometoken', { dispatcher: agent });
    expect(await dl.json()).toEqual({ method: 'GET', url: '/sometoken', host: 'a-3.1fichier.com', encrypted: true });
    expect(lookup).not.toHaveBeenCalled();
  });

  it('still serves plain requests on the same port', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/folder/ls.cgi`, { method: 'POST', body: '{}' });
    expect(await res.json()).toMatchObject({ method: 'POST', url: '/v1/folder/ls.cgi', encrypted: false });
  });

  it('refuses CONNECT to other hosts and ports with 403 and closes the socket', async () => {
    for (const target of ['example.com:443', 'api.1fichier.com:80', '1fichier.com.evil.net:443', '127.0.0.1:443']) {
      const { status, socket } = await connectTunnel(port, target);
      expect(status).toBe('HTTP/1.1 403 Forbidden');
      await closed(socket);
    }
  });

  it('picks the certificate by SNI and fails the handshake for a name outside 1fichier.com', async () => {
    const ok = await connectTunnel(port, 'api.1fichier.com:443');
    expect(ok.status).toBe('HTTP/1.1 200 Connection Established');
    const t = await tlsOverTunnel(ok.socket, 'up-7.1fichier.com', proxy.caPem);
    expect(t.alpnProtocol).toBe('http/1.1');
    t.destroy();

    const bad = await connectTunnel(port, 'api.1fichier.com:443');
    await expect(tlsOverTunnel(bad.socket, 'example.com', proxy.caPem)).rejects.toBeInstanceOf(Error);
  });

  it('survives garbage inside a tunnel, before and after the TLS handshake', async () => {
    const raw = await connectTunnel(port, 'api.1fichier.com:443');
    raw.socket.write('this is not a TLS client hello\r\n\r\n');
    await closed(raw.socket);

    const tunnel = await connectTunnel(port, 'api.1fichier.com:443');
    const t = await tlsOverTunnel(tunnel.socket, 'api.1fichier.com', proxy.caPem);
    const reply = new Promise<string>((resolve) => {
      let buf = '';
      t.on('data', (c: Buffer) => (buf += c.toString('latin1')));
      t.on('close', () => resolve(buf));
    });
    t.write('\x00\x01garbage garbage\r\n\r\n');
    expect(await reply).toMatch(/^HTTP\/1\.1 400 /);

    const res = await fetch('https://api.1fichier.com/v1/file/ls.cgi', { method: 'POST', body: '{}', dispatcher: agent });
    expect(res.status).toBe(200);
  });

  it('accepts TLS bytes sent in the same packet as the CONNECT request', async () => {
    const raw = net.connect(port, '127.0.0.1');
    let connectSent = false;
    let header: string | undefined = '';
    // The TLS client writes into `wire`; its first write (the ClientHello) leaves glued to the CONNECT.
    const wire = new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        const prefix = connectSent ? '' : 'CONNECT api.1fichier.com:443 HTTP/1.1\r\nHost: api.1fichier.com:443\r\n\r\n';
        connectSent = true;
        raw.write(Buffer.concat([Buffer.from(prefix, 'latin1'), chunk]), cb);
      },
    });
    raw.on('data', (chunk: Buffer) => {
      if (header === undefined) return void wire.push(chunk);
      header += chunk.toString('latin1');
      const end = header.indexOf('\r\n\r\n');
      if (end < 0) return;
      expect(header.slice(0, header.indexOf('\r\n'))).toBe('HTTP/1.1 200 Connection Established');
      const rest = Buffer.from(header.slice(end + 4), 'latin1');
      header = undefined;
      if (rest.length > 0) wire.push(rest);
    });
    raw.on('close', () => wire.destroy());
    const t = await tlsOverTunnel(wire as net.Socket, 'api.1fichier.com', proxy.caPem);
    const reply = new Promise<string>((resolve) => {
      let buf = '';
      t.on('data', (c: Buffer) => (buf += c.toString('latin1')));
      t.on('end', () => resolve(buf));
    });
    t.write('GET /early HTTP/1.1\r\nHost: api.1fichier.com\r\nConnection: close\r\n\r\n');
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('"url":"/early"');
    raw.destroy();
  });
});

describe('closeTunnels', () => {
  it('tears down open tunnels so that server.close() completes', async () => {
    const server = http.createServer(echo);
    const proxy = await attachProxy(server, echo, {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const { status, socket } = await connectTunnel(port, 'api.1fichier.com:443');
    expect(status).toBe('HTTP/1.1 200 Connection Established');
    const t = await tlsOverTunnel(socket, 'api.1fichier.com', proxy.caPem);
    const serverClosed = new Promise<void>((r) => server.close(() => r()));
    proxy.closeTunnels();
    await closed(socket);
    await serverClosed;
    expect(t.destroyed).toBe(true);
  });
});
