#!/usr/bin/env -S node --max-semi-space-size=2 --v8-pool-size=1 --expose-gc
// Node's flags above (also on `npm start` and the service units' ExecStart lines): a 2 MB young-generation
// semi-space instead of up to 16 MB, and one V8 worker thread instead of four. The server's memory at idle and
// during a transfer is mostly garbage-collector headroom, not data: the dead 64 KiB buffers of a streamed
// upload pile up between scavenges of a large young generation, and each V8 worker touches its own stack and
// buffers. Measured (bench/memory.md): idle RSS -13 MB, peak during a 1 GiB PUT 25 MB above idle instead of 45.
// A 1 MB semi-space was rejected: listings' temporaries then get promoted and warm PROPFIND slows 3-10x.
// --expose-gc lets a streamed upload run a young-generation collection every few MiB (src/util/gc-hint.ts), so
// that its dead socket buffers are freed in step with the stream: a 1 GiB PUT then peaks ~7 MB above idle.
// Runs the TypeScript sources with no build step to keep in sync by hand: on the first start after any change
// under src/, the sources are bundled once with esbuild (dependencies stay external) into
// node_modules/.cache/fichier-dav/, and later starts import that bundle directly. Compared with transpiling
// each file through tsx's loader at every start, this saves tsx's loader thread (~38 MB of RSS) and most of
// the start-up time. When the bundle cannot be built or written (read-only install, esbuild missing), or with
// FICHIER_DAV_NO_BUNDLE=1 (debugging with source positions), the sources run through tsx as before.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli', 'main.ts');
const cacheDir = join(root, 'node_modules', '.cache', 'fichier-dav');

/** A hash of every non-test source file's path, size and mtime: any edit makes a new bundle. */
function fingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const d of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (d.name.endsWith('.ts') && !d.name.endsWith('.test.ts')) {
        const s = statSync(p);
        hash.update(`${relative(root, p)}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  walk(join(root, 'src'));
  hash.update(statSync(fileURLToPath(import.meta.url)).mtimeMs.toString());
  return hash.digest('hex').slice(0, 16);
}

/**
 * The bundle's entry file, building the bundle first when missing. Throws when it cannot be built or written.
 * The bundle is split into chunks (a directory per fingerprint): what the code imports dynamically (the
 * emulator, and through it its packages) stays out of the start-up chunk, so a server that never uses it never
 * loads it. Dependencies stay external, imported where the code imports them.
 */
async function bundle() {
  const name = `main-${fingerprint()}`;
  const out = join(cacheDir, name);
  const main = join(out, 'main.mjs');
  try {
    statSync(main);
    return main;
  } catch {
    // not built yet
  }
  const { build } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await build({
    entryPoints: [entry], outdir: tmp, outExtension: { '.js': '.mjs' }, bundle: true, splitting: true, platform: 'node', format: 'esm',
    target: 'node20', packages: 'external', logLevel: 'silent', legalComments: 'none',
  });
  try {
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Another start may have built the same bundle meanwhile (a rename onto a full directory fails): use it.
    try {
      statSync(main);
    } catch {
      throw err;
    }
  }
  for (const old of readdirSync(cacheDir)) if (old !== name && old.startsWith('main-')) rmSync(join(cacheDir, old), { recursive: true, force: true });
  return main;
}

let mainUrl;
if (process.env.FICHIER_DAV_NO_BUNDLE !== '1') {
  try {
    mainUrl = pathToFileURL(await bundle()).href;
  } catch {
    mainUrl = undefined;
  }
}
if (mainUrl === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  mainUrl = pathToFileURL(entry).href;
}
// The young generation is held at its initial size while the code is imported: module evaluation allocates fast
// and keeps most of it, so V8 would grow the semi-space to its cap (2 MB above) for objects that are promoted
// anyway, and that memory stays committed for the life of the process (idle RSS -2 MB, bench/memory.md). V8's
// default growth factor (2) applies again before main() runs. Changing a V8 flag at run time is allowed by
// node (flags are not frozen after start) but unusual, so only this flag, only around the import, and not when
// the user chose a growth factor on node's command line.
const ownGrowth = ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('semi-space-growth-factor'));
const v8 = ownGrowth ? await import('node:v8') : undefined;
v8?.setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import(mainUrl);
v8?.setFlagsFromString('--semi-space-growth-factor=2');
await main(process.argv.slice(2));
