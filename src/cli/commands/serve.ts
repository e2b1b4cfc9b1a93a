/**
 * `fichier-dav serve webdav [remote:]`: serve the account (or, with `--emulator auto` and no key, the
 * embedded demo emulator: what `npm start` runs) over WebDAV in the foreground, with rclone's flag names,
 * and the optional loopback control port (rc + Prometheus metrics). Prints the connect banner when ready,
 * serves until SIGINT/SIGTERM, then stops the servers, the VFS, the store, the client and the emulator.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRcServer } from '../../rc/server.ts';
import { systemClock } from '../../util/clock.ts';
import { loadHtpasswd } from '../../webdav/htpasswd.ts';
import { createDavServer } from '../../webdav/index.ts';
import { createWebUi, createWebUiBackend } from '../../webui/server/index.ts';
import { parseAddr } from '../addr.ts';
import { connectBanner } from '../banner.ts';
import { CliError, type CliIo } from '../context.ts';
import { schemaOptions } from '../options.ts';
import { accountPath } from '../paths.ts';
import { settingsFor } from '../run.ts';
import { loggerFor, openSession, type Session } from '../session.ts';
import { onShutdown } from '../shutdown.ts';
import { coreStatsOf } from './core-stats.ts';

/** The settings only `serve webdav` uses (the global ones come from the program). */
export const SERVE_FIELDS = ['addr', 'user', 'pass', 'htpasswd', 'readOnly', 'baseurl', 'cert', 'key', 'allowAnonymous', 'rc', 'rcAddr'];

const VERSION = '0.1.0';

function readPem(cwd: string, file: string, what: string): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

async function serve(session: Session, io: CliIo): Promise<void> {
  const { settings } = session.resolved;
  const { host, port } = parseAddr(settings.addr);
  const htpasswd = settings.htpasswd === undefined ? undefined : loadHtpasswd(readFileSync(resolve(io.cwd, settings.htpasswd), 'utf8'));
  const tls = settings.cert !== undefined && settings.key !== undefined ? { cert: readPem(io.cwd, settings.cert, 'certificate'), key: readPem(io.cwd, settings.key, 'key') } : undefined;
  const users = settings.user !== undefined && settings.pass !== undefined ? [{ user: settings.user, pass: settings.pass }] : [];
  const dav = createDavServer({
    vfs: session.vfs,
    logger: session.logger,
    baseUrl: settings.baseurl,
    readOnly: settings.readOnly,
    users,
    htpasswd,
    allowAnonymous: settings.allowAnonymous,
    tls,
    metrics: session.metrics,
    frontEnd: createWebUi({
      backend: createWebUiBackend({ vfs: session.vfs, store: session.store, account: session.account, emulator: session.emulator !== undefined, logger: session.logger }),
      logger: session.logger,
      version: VERSION,
    }),
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
  const stopServers = async (): Promise<void> => {
    await Promise.allSettled([dav.close(), rc?.close()]);
  };
  let url: string;
  let rcUrl: string | undefined;
  try {
    ({ url } = await dav.listen(host, port));
    if (rc) {
      const a = parseAddr(settings.rcAddr);
      ({ url: rcUrl } = await rc.listen(a.host, a.port));
    }
  } catch (err) {
    await stopServers();
    throw err;
  }
  const stopped = onShutdown(stopServers);
  io.stdout.write(
    connectBanner({
      url,
      readOnly: settings.readOnly,
      auth: users.length > 0 || htpasswd !== undefined,
      ...(session.emulator ? { emulatorData: session.emulator.dataDir } : {}),
      ...(rcUrl !== undefined ? { rcUrl } : {}),
    }) + '\n',
  );
  await stopped;
}

export function serveCommand(io: CliIo): Command {
  const webdav = new Command('webdav')
    .description(
      'Serve the 1fichier account over WebDAV (rclone serve webdav flags). The API key comes from FICHIER_API_KEY or ' +
        'RCLONE_FICHIER_API_KEY, an rclone remote, or mount.json; with --emulator auto and no key, serves the local demo emulator.',
    )
    .argument('[remote:]', 'the rclone remote to serve (default fichier:); sub-paths are not supported yet')
    .addHelpText('after', '\nExamples:\n  fichier-dav serve webdav fichier: --addr 127.0.0.1:8080 -v\n  FICHIER_API_KEY=... fichier-dav serve webdav --user me --pass secret --addr 0.0.0.0:8080');
  for (const opt of schemaOptions(SERVE_FIELDS)) webdav.addOption(opt);
  webdav.action(async (spec: string | undefined, _flags: unknown, cmd: Command) => {
    const target = spec === undefined ? { path: '' } : accountPath(spec);
    if (target.path !== '') throw new CliError(`serving a sub-path ("${target.path}") is not supported yet: serve the whole account (fichier:)`, 2);
    const resolved = settingsFor(cmd, io, target.remote);
    const { settings } = resolved;
    if ((settings.user === undefined) !== (settings.pass === undefined)) throw new CliError('--user and --pass go together', 2);
    if ((settings.cert === undefined) !== (settings.key === undefined)) throw new CliError('--cert and --key go together', 2);
    const session = await openSession(resolved, io, loggerFor(resolved, io));
    try {
      await serve(session, io);
    } finally {
      await session.close();
    }
  });
  return new Command('serve').description('Serve the account over a protocol (webdav).').addCommand(webdav);
}
