/**
 * The gateway: the session's WebDAV server listening, plus the optional loopback control port (rc and
 * Prometheus metrics) when the settings ask for it. `serve webdav` exposes it to clients; `mount` starts one on a
 * private loopback port for its rclone FUSE child. One place starts both servers, so the two commands serve the
 * same thing.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { createRcServer, type RcAuth } from '../rc/server.ts';
import { systemClock } from '../util/clock.ts';
import { Secret } from '../util/secret.ts';
import { createAuthenticator, createFailureThrottle } from '../webdav/index.ts';
import { parseAddr } from './addr.ts';
import { CliError } from './context.ts';
import type { Session } from './session.ts';
import { coreStatsOf } from './commands/core-stats.ts';
import { remoteSpec } from './paths.ts';
import { VERSION } from './version.ts';

export interface GatewayOptions {
  host: string;
  port: number;
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

/** Basic authentication of the control port; the password is registered for redaction from every log line. */
function rcAuth(user: string, pass: string): RcAuth {
  new Secret(pass);
  return { check: createAuthenticator({ users: [{ user, pass }] }).check, throttle: createFailureThrottle({ clock: systemClock }) };
}

/**
 * Starts the session's WebDAV server on host:port (and the control port at the settings' rcAddr when `rc` is
 * on). Throws CliError when the session was opened without server options; rejects with the listen error (both
 * servers stopped) when a port cannot be bound or anonymous access would be exposed off loopback.
 */
export async function startGateway(session: Session, opts: GatewayOptions): Promise<Gateway> {
  const { settings } = session.resolved;
  const dav = session.server;
  if (!dav) throw new CliError('the session was opened without a WebDAV server');
  const startedAt = systemClock.now();
  const rc = settings.rc
    ? createRcServer({
        vfs: session.vfs,
        metrics: session.metrics,
        coreStats: () => coreStatsOf(session.vfs.stats(), systemClock.now() - startedAt),
        logger: session.logger,
        version: VERSION,
        fs: remoteSpec(settings.remote, settings.root),
        vfsOpt: {
          dirCacheTimeMs: settings.dirCacheTime,
          readChunkSize: settings.vfsReadChunkSize,
          readChunkSizeLimit: settings.vfsReadChunkSizeLimit,
          readOnly: settings.readOnly,
          caseInsensitive: settings.vfsCaseInsensitive,
        },
        allowHosts: settings.allowHost,
        ...(settings.rcUser !== undefined && settings.rcPass !== undefined ? { auth: rcAuth(settings.rcUser, settings.rcPass) } : {}),
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
