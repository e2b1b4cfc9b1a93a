import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { loadOrCreateCA, type CertificateAuthority } from './ca.ts';

/**
 * Proxy mode: unmodified 1fichier clients (rclone with `HTTPS_PROXY=http://emulator` and
 * `--ca-cert`) send `CONNECT api.1fichier.com:443` (later up-N / a-N hosts) to the emulator's plain
 * port. The tunnel is terminated here with a certificate from our CA, and the decrypted HTTP/1.1
 * requests go to the same handler as the plain port. Nothing is ever forwarded to the internet.
 *
 * Inside a tunnel `req.socket` is a `tls.TLSSocket` (`encrypted === true`) and `req.headers.host`
 * is the 1fichier host name the client asked for; that is how the handler tells hosts apart.
 */
export interface ProxyHandle {
  /** The CA certificate (PEM) clients must trust. */
  caPem: string;
  /**
   * Destroys every open tunnel (and the requests running in them). Call it when closing the server:
   * `server.close()` alone waits for tunnels, which live until the client closes them or they stay
   * idle for `TUNNEL_KEEPALIVE_MS`. Never throws.
   */
  closeTunnels(): void;
}

/**
 * Idle keep-alive inside a tunnel. Longer than Go's default idle timeout of pooled connections
 * (rclone: 60 s), so the client, not the server, closes idle connections and a reused connection is
 * never closed under a request that is just being sent.
 */
export const TUNNEL_KEEPALIVE_MS = 75_000;
/** A tunnel whose TLS handshake has not finished after this long is dropped. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';
const FORBIDDEN = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Makes `server` (a plain http.Server) also accept `CONNECT host:443` for 1fichier.com and
 * *.1fichier.com: answers "200 Connection Established", terminates TLS inside the tunnel with a
 * certificate from the CA (SNI-aware) and serves the decrypted requests with `handler`. CONNECT to any
 * other host or port gets 403 and the socket is closed. The CA is loaded from / saved to
 * `opts.dataDir` (ca-cert.pem, ca-key.pem; generated in memory when absent); when `opts.caOut` is set
 * the CA certificate PEM is written there too (parent folders created).
 * Rejects when the CA files or `caOut` cannot be read or written.
 */
export async function attachProxy(
  server: http.Server,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  opts: { dataDir?: string; caOut?: string },
): Promise<ProxyHandle> {
  const ca = await loadOrCreateCA(opts.dataDir);
  if (opts.caOut !== undefined) {
    await mkdir(dirname(opts.caOut), { recursive: true });
    await writeFile(opts.caOut, ca.caCertPem);
  }
  const inner = http.createServer({ requestTimeout: 0, keepAliveTimeout: TUNNEL_KEEPALIVE_MS }, handler);
  const contexts = new SecureContexts(ca);
  const tunnels = new Set<Duplex>();

  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = tunnelHost(req.url ?? '', ca);
    if (host === undefined) {
      socket.end(FORBIDDEN);
      return;
    }
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    if (head.length > 0) socket.unshift(head);
    socket.write(ESTABLISHED);
    const tlsSocket = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: contexts.get(host),
      SNICallback: (servername, cb) => {
        try {
          cb(null, contexts.get(servername));
        } catch (err) {
          cb(err as Error);
        }
      },
      ALPNProtocols: ['http/1.1'],
    });
    tlsSocket.on('error', () => tlsSocket.destroy());
    tlsSocket.on('close', () => socket.destroy());
    tlsSocket.setTimeout(TLS_HANDSHAKE_TIMEOUT_MS, () => tlsSocket.destroy());
    tlsSocket.once('secure', () => tlsSocket.setTimeout(0));
    inner.emit('connection', tlsSocket);
  });

  return {
    caPem: ca.caCertPem,
    closeTunnels() {
      for (const socket of tunnels) socket.destroy();
      tunnels.clear();
    },
  };
}

/** The host of a `CONNECT host:443` target when the CA covers it; undefined for anything else. */
function tunnelHost(target: string, ca: CertificateAuthority): string | undefined {
  const m = /^([^:[\]/\s]+):(\d+)$/.exec(target);
  if (!m || m[2] !== '443') return undefined;
  const host = (m[1] ?? '').toLowerCase().replace(/\.$/, '');
  return ca.covers(host) ? host : undefined;
}

/** One tls.SecureContext per distinct leaf (the CA may hand the same leaf to many hosts). */
class SecureContexts {
  private readonly byLeaf = new WeakMap<object, tls.SecureContext>();

  constructor(private readonly ca: CertificateAuthority) {}

  /** Returns the context for `hostname`; throws the CA's `ECA_HOST` error when it is not covered. */
  get(hostname: string): tls.SecureContext {
    const leaf = this.ca.leafFor(hostname);
    let ctx = this.byLeaf.get(leaf);
    if (!ctx) {
      ctx = tls.createSecureContext({ cert: leaf.cert, key: leaf.key });
      this.byLeaf.set(leaf, ctx);
    }
    return ctx;
  }
}
