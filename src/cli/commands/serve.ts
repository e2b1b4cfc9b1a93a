/**
 * `fichier-dav serve webdav [remote:path]`: serve the account, or one of its folders as the root (or, with
 * `--emulator auto` and no key, the embedded demo emulator: what `npm start` runs) over WebDAV in the foreground,
 * with rclone's flag names, the web file manager for browsers (src/webui) on the same port, and the optional
 * loopback control port (rc + Prometheus metrics). Prints the connect banner when ready, serves until
 * SIGINT/SIGTERM, then stops the servers, the VFS, the store, the client and the emulator.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Secret } from '../../util/secret.ts';
import { loadHtpasswd } from '../../webdav/index.ts';
import { parseAddr } from '../addr.ts';
import { connectBanner } from '../banner.ts';
import { CliError, type CliIo } from '../context.ts';
import { startGateway } from '../gateway.ts';
import { schemaOptions } from '../options.ts';
import { accountPath } from '../paths.ts';
import { settingsFor } from '../run.ts';
import { loggerFor, openSession, type Session, type SessionServerOptions } from '../session.ts';
import type { ResolvedSettings } from '../../config/settings.ts';
import { servingOf, servingText } from '../../config/show.ts';
import { onShutdown } from '../shutdown.ts';

/** The settings only `serve webdav` uses (the global ones come from the program). */
/** The read cache of file edges: what serving sessions (serve webdav, mount) keep on disk; transfers do not use it. */
export const READ_CACHE_FIELDS = ['vfsCacheMaxSize', 'vfsReadCacheHead', 'vfsReadCacheTail'];

export const SERVE_FIELDS = [...READ_CACHE_FIELDS, 'addr', 'user', 'pass', 'htpasswd', 'readOnly', 'baseurl', 'cert', 'key', 'allowAnonymous', 'allowOrigin', 'allowHost', 'rc', 'rcAddr', 'rcUser', 'rcPass'];

function readPem(cwd: string, file: string, what: string): string {
  try {
    return readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/** The WebDAV server's options from the settings (reads the htpasswd file and the TLS files), web UI on. */
function serverOptions(resolved: ResolvedSettings, io: CliIo): SessionServerOptions {
  const { settings } = resolved;
  const htpasswd = settings.htpasswd === undefined ? undefined : loadHtpasswd(readFileSync(resolve(io.cwd, settings.htpasswd), 'utf8'));
  const tls = settings.cert !== undefined && settings.key !== undefined ? { cert: readPem(io.cwd, settings.cert, 'certificate'), key: readPem(io.cwd, settings.key, 'key') } : undefined;
  const users = settings.user !== undefined && settings.pass !== undefined ? [{ user: settings.user, pass: settings.pass }] : [];
  // Registered for redaction: no log line may carry a password.
  if (settings.pass !== undefined) new Secret(settings.pass);
  return {
    baseUrl: settings.baseurl,
    readOnly: settings.readOnly,
    users,
    htpasswd,
    allowAnonymous: settings.allowAnonymous,
    allowOrigins: settings.allowOrigin,
    allowHosts: settings.allowHost,
    tls,
    webUi: true,
  };
}

async function serve(session: Session, io: CliIo): Promise<void> {
  const { settings } = session.resolved;
  const { host, port } = parseAddr(settings.addr);
  const auth = settings.user !== undefined || settings.htpasswd !== undefined;
  const gateway = await startGateway(session, { host, port });
  const serving = servingOf(session.resolved);
  const stopped = onShutdown(gateway.close);
  io.stdout.write(
    connectBanner({
      url: gateway.url,
      readOnly: settings.readOnly,
      auth,
      ...(session.emulator ? { emulatorData: session.emulator.dataDir } : {}),
      ...(gateway.rcUrl !== undefined ? { rcUrl: gateway.rcUrl } : {}),
      ...(session.sharedState ? { sharedState: { ...session.sharedState(), fallbackPercent: settings.sharedStateFallbackPercent } } : {}),
      ...(serving.kind === 'account' && serving.root === '' ? {} : { serving: servingText(serving) }),
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
    .argument('[remote:path]', 'the rclone remote to serve (default fichier:), and the folder to serve as the root (default: the whole account, or mount.json root)')
    .addHelpText('after', '\nExamples:\n  fichier-dav serve webdav fichier: --addr 127.0.0.1:8080 -v\n  fichier-dav serve webdav fichier:Media/Movies --read-only   # that folder as /, nothing outside it\n  FICHIER_API_KEY=... fichier-dav serve webdav --user me --pass secret --addr 0.0.0.0:8080');
  for (const opt of schemaOptions(SERVE_FIELDS)) webdav.addOption(opt);
  webdav.action(async (spec: string | undefined, _flags: unknown, cmd: Command) => {
    const target = spec === undefined ? undefined : accountPath(spec);
    const resolved = settingsFor(cmd, io, target?.remote, target?.path);
    const { settings } = resolved;
    if ((settings.user === undefined) !== (settings.pass === undefined)) throw new CliError('--user and --pass go together', 2);
    if ((settings.rcUser === undefined) !== (settings.rcPass === undefined)) throw new CliError('--rc-user and --rc-pass (or FICHIER_DAV_RC_PASS) go together', 2);
    if ((settings.cert === undefined) !== (settings.key === undefined)) throw new CliError('--cert and --key go together', 2);
    const session = await openSession(resolved, io, loggerFor(resolved, io), { server: serverOptions(resolved, io), served: true });
    try {
      await serve(session, io);
    } finally {
      await session.close();
    }
  });
  return new Command('serve').description('Serve the account over a protocol (webdav).').addCommand(webdav);
}
