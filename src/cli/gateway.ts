/**
 * The gateway: the WebDAV server over a session's VFS, plus the optional loopback control port (rc and
 * Prometheus metrics) when the settings ask for it. `serve webdav` exposes it to clients; `mount` starts one on a
 * private loopback port for its rclone FUSE child. One place builds both servers, so the two commands serve the
 * same thing.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createRcServer } from '../rc/server.ts';
import { systemClock } from '../util/clock.ts';
import type { Credentials } from '../webdav/auth.ts';
import type { HtpasswdFile } from '../webdav/htpasswd.ts';
import { createDavServer } from '../webdav/index.ts';
import { parseAddr } from './addr.ts';
import type { Session } from './session.ts';
import { coreStatsOf } from './commands/core-stats.ts';

const VERSION = '0.1.0';

export interface GatewayOptions {
  host: string;
  port: number;
  users: Credentials[];
  htpasswd?: HtpasswdFile;
  tls?: { cert: string; key: string };
  allowAnonymous: boolean;
}

export interface Gateway {
  /** The WebDAV base URL, ending in '/'. */
  url: string;
  /** The control port's URL when the settings turn it on. */
  rcUrl?: string;
  /** The WebDAV server's listening socket server (its 'close' event tells that it stopped). */
  server: HttpServer | HttpsServer;
  /** Stops both servers; never rejects. */
  close(): Promise<void>;
}

/**
 * Starts the WebDAV server on host:port (and the control port at the settings' rcAddr when `rc` is on) over
 * `session`, with the settings' baseurl and read-only mode. Rejects with the listen error (both servers
 * stopped) when a port cannot be bound or anonymous access would be exposed off loopback.
 */
export async function startGateway(session: Session, opts: GatewayOptions): Promise<Gateway> {
  const { settings } = session.resolved;
  const dav = createDavServer({
    vfs: session.vfs,
    logger: session.logger,
    baseUrl: settings.baseurl,
    readOnly: settings.readOnly,
    users: opts.users,
    htpasswd: opts.htpasswd,
    allowAnonymous: opts.allowAnonymous,
    tls: opts.tls,
    metrics: session.metrics,
  });
  const startedAt = systemClock.now();
  const rc = settings.rc
    ? createRcServer({
        vfs: session.vfs,
        metrics: session.metrics,
        coreStats: () => coreStatsOf(session.vfs.stats(), systemClock.now() - startedAt),
        logger: session.logger,
        version: VERSION,
        fs: `${settings.remote}:`,
        vfsOpt: { dirCacheTimeMs: settings.dirCacheTime, readChunkSize: settings.vfsReadChunkSize, readChunkSizeLimit: settings.vfsReadChunkSizeLimit, readOnly: settings.readOnly },
      })
    : undefined;
  const close = async (): Promise<void> => {
    await Promise.allSettled([dav.close(), rc?.close()]);
  };
  try {
    const { url } = await dav.listen(opts.host, opts.port);
    let rcUrl: string | undefined;
    if (rc) {
      const a = parseAddr(settings.rcAddr);
      ({ url: rcUrl } = await rc.listen(a.host, a.port));
    }
    return { url, ...(rcUrl !== undefined ? { rcUrl } : {}), server: dav.server, close };
  } catch (err) {
    await close();
    throw err;
  }
}
