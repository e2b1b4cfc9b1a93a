/**
 * The web UI's browser assets: the client sources (src/webui/client/) bundled by esbuild into one script and
 * one stylesheet, plus the icon, each named by a hash of its bytes (`app.3f9c….js`) so that a URL always means
 * the same bytes and browsers may cache it forever (`immutable`). Nothing comes from another host: no CDN, no
 * web font.
 *
 * When: on the first request that needs them (a page or an asset), once per process, in memory; concurrent
 * first requests share one build. `npm install && npm start` therefore serves the UI with no build step, and
 * a server that no browser visits never loads esbuild. The bundle is deterministic (same sources, same
 * bytes, same names). Sources edited while the server runs are picked up at the next start.
 *
 * Where the sources are: found by walking up from this module to the directory holding
 * src/webui/client/main.ts, which works both from the sources and from the launcher's bundle
 * (node_modules/.cache/fichier-dav/), whose own location says nothing about src/.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  /** Hashed file name, e.g. 'app.3f9c0a1b2c3d4e5f.js'. */
  name: string;
  contentType: string;
  body: Buffer;
}

export interface AssetSet {
  script: Asset;
  style: Asset;
  icon: Asset;
  /** The asset of that hashed name, if any. */
  byName(name: string): Asset | undefined;
}

const CLIENT_ENTRY = join('src', 'webui', 'client', 'main.ts');
const ICON = join('src', 'webui', 'client', 'icon.svg');

/** The project directory holding the client sources, searched upwards from `from`; throws when there is none. */
export function findProjectRoot(from: string): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, CLIENT_ENTRY))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`web UI sources not found above ${from} (looked for ${CLIENT_ENTRY})`);
    dir = up;
  }
}

function hashed(stem: string, ext: string, contentType: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { name: `${stem}.${hash}.${ext}`, contentType, body };
}

/** Bundles the client under `root` (see the module doc). Rejects with esbuild's error when the sources do not build. */
export async function buildAssets(root: string): Promise<AssetSet> {
  const esbuild = await import('esbuild');
  const built = esbuild.build({
    absWorkingDir: root,
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  // esbuild keeps a helper process for further builds; there will be none, so let it go either way.
  const result = await built.finally(() => esbuild.stop());
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  if (!js || !css) throw new Error('the web UI bundle has no script or no stylesheet');
  const script = hashed('app', 'js', 'text/javascript; charset=utf-8', Buffer.from(js.contents));
  const style = hashed('app', 'css', 'text/css; charset=utf-8', Buffer.from(css.contents));
  const icon = hashed('icon', 'svg', 'image/svg+xml', readFileSync(join(root, ICON)));
  const all = new Map([script, style, icon].map((a) => [a.name, a]));
  return { script, style, icon, byName: (name) => all.get(name) };
}

/** One build per process, started by the first caller; a failed build is retried by the next caller. */
export function assetCache(root: () => string = () => findProjectRoot(dirname(fileURLToPath(import.meta.url)))): () => Promise<AssetSet> {
  let pending: Promise<AssetSet> | undefined;
  return () => {
    pending ??= (async () => buildAssets(root()))().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
