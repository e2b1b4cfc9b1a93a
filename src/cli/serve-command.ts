import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { FichierClient } from '../api/client.ts';
import { REAL_API_BASE } from '../api/types.ts';
import { createFichierRemote } from '../remote/fichier/index.ts';
import { openMetaStore, storePathFor } from '../store/index.ts';
import { createLogger } from '../util/log.ts';
import { Secret } from '../util/secret.ts';
import { createStoreDirIdIndex, createVfs } from '../vfs/index.ts';
import { loadHtpasswd } from '../webdav/htpasswd.ts';
import { createDavServer } from '../webdav/index.ts';
import { parseAddr } from './addr.ts';
import { onShutdown } from './shutdown.ts';

interface ServeFlags {
  addr: string;
  user?: string;
  pass?: string;
  htpasswd?: string;
  readOnly?: boolean;
  baseurl?: string;
  cert?: string;
  key?: string;
  dirCacheTime: number;
  cacheDir?: string;
  allowAnonymous?: boolean;
  verbose: number;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses an rclone-style duration ('5m', '30s', '1h30m', '1.5h', '250ms'; a bare number is seconds) into ms. */
export function parseDuration(value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(v)) throw new Error(`invalid duration "${value}": expected e.g. 30s, 5m, 1h`);
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/**
 * Splits `[remote:path]` (`fichier:`, `name:`, `name:sub/path`, or a bare path) into the remote name and the
 * sub-path. The account always comes from the environment; the remote name is informational.
 */
export function parseRemoteSpec(spec: string | undefined): { remote: string; path: string } {
  if (spec === undefined || spec === '') return { remote: 'fichier', path: '' };
  const colon = spec.indexOf(':');
  const remote = colon < 0 ? 'fichier' : spec.slice(0, colon);
  const path = (colon < 0 ? spec : spec.slice(colon + 1)).replace(/^\/+|\/+$/g, '');
  return { remote, path };
}

/** The API key from FICHIER_API_KEY, else RCLONE_FICHIER_API_KEY; throws naming both when neither is set. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv): Secret {
  const key = env.FICHIER_API_KEY?.trim() || env.RCLONE_FICHIER_API_KEY?.trim();
  if (!key) throw new Error('no API key: set FICHIER_API_KEY (or RCLONE_FICHIER_API_KEY) in the environment');
  return new Secret(key);
}

/**
 * `fichier-dav serve webdav [remote:path]`: serve the account over WebDAV in the foreground (rclone's flags).
 * Prints `serving webdav on URL` on stdout when ready, then serves until SIGINT/SIGTERM.
 */
export function serveCommand(): Command {
  const webdav = new Command('webdav')
    .description('Serve the 1fichier account over WebDAV (API key from env FICHIER_API_KEY or RCLONE_FICHIER_API_KEY).')
    .argument('[remote:path]', 'remote to serve (fichier:); a sub-path is not supported yet')
    .option('--addr <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--user <name>', 'user name for Basic authentication')
    .option('--pass <password>', 'password for Basic authentication')
    .option('--htpasswd <file>', 'htpasswd file (bcrypt, APR1 MD5, SHA-1) with the allowed users')
    .option('--read-only', 'refuse every write (403)')
    .option('--baseurl <prefix>', 'URL prefix to serve under, e.g. /dav')
    .option('--cert <file>', 'TLS certificate chain (PEM); with --key serves HTTPS')
    .option('--key <file>', 'TLS private key (PEM)')
    .addOption(
      new Option('--dir-cache-time <duration>', 'how long a folder listing is trusted (e.g. 30s, 5m, 1h)')
        .argParser(parseDuration)
        .default(300_000, '5m'),
    )
    .option('--cache-dir <dir>', 'directory of the metadata cache')
    .option('--allow-anonymous', 'allow access without users on a non-loopback address')
    .option('-v, --verbose', 'more logging (repeat for debug)', (_v: string, prev: number) => prev + 1, 0)
    .action(async (spec: string | undefined, flags: ServeFlags) => {
      const { host, port } = parseAddr(flags.addr);
      const { path } = parseRemoteSpec(spec);
      if (path !== '') throw new Error(`serving a sub-path ("${path}") is not supported yet: serve the whole account (fichier:)`);
      if ((flags.user === undefined) !== (flags.pass === undefined)) throw new Error('--user and --pass go together');
      if ((flags.cert === undefined) !== (flags.key === undefined)) throw new Error('--cert and --key go together');
      const apiKey = apiKeyFromEnv(process.env);
      const apiBase = process.env.FICHIER_API_URL?.trim() || REAL_API_BASE;
      const logger = createLogger({ level: flags.verbose >= 2 ? 'debug' : flags.verbose === 1 ? 'info' : 'warn' });
      const htpasswd = flags.htpasswd === undefined ? undefined : loadHtpasswd(readFileSync(flags.htpasswd, 'utf8'));
      const tls = flags.cert && flags.key ? { cert: readFileSync(flags.cert, 'utf8'), key: readFileSync(flags.key, 'utf8') } : undefined;

      const client = new FichierClient({ apiKey, baseUrl: apiBase, logger });
      const store = openMetaStore({ file: storePathFor({ cacheDir: flags.cacheDir, apiBase, apiKey: apiKey.reveal() }) });
      const remote = createFichierRemote({ client, dirIds: createStoreDirIdIndex(store) });
      const vfs = createVfs({ remote, store, logger, dirCacheTimeMs: flags.dirCacheTime });
      const dav = createDavServer({
        vfs,
        logger,
        baseUrl: flags.baseurl,
        readOnly: flags.readOnly ?? false,
        users: flags.user !== undefined && flags.pass !== undefined ? [{ user: flags.user, pass: flags.pass }] : [],
        htpasswd,
        allowAnonymous: flags.allowAnonymous ?? false,
        tls,
      });
      const stopAll = async () => {
        await dav.close();
        await vfs.close();
        store.close();
        await client.close();
      };
      let url: string;
      try {
        ({ url } = await dav.listen(host, port));
      } catch (err) {
        await stopAll();
        throw err;
      }
      const stopped = onShutdown(stopAll);
      process.stdout.write(`serving webdav on ${url}\n`);
      await stopped;
    });
  return new Command('serve').description('Serve the account over a protocol (webdav).').addCommand(webdav);
}
