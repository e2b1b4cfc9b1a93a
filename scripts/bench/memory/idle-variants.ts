/**
 * Idle RSS of the real server (`serve webdav`, nothing requested) under variants, median of `--runs` starts:
 * - the launcher's bundle as it is;
 * - the same sources bundled with some packages replaced by stubs that export the same names (what making
 *   their import lazy would save: `serve webdav` without --htpasswd and without the embedded emulator never
 *   calls them);
 * - V8 flags through NODE_OPTIONS.
 * Each start gets a fresh cache dir and a closed API port (start-up makes no API call). RSS is read 3 s after
 * the listening line from /proc/PID/status, split into anonymous and file pages.
 *
 *   node --import tsx scripts/bench/memory/idle-variants.ts [--runs 3] [--variants 0,4 (indices in the table)]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { BENCH_KEY } from '../config.ts';
import { freePort } from '../servers.ts';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const OUT = join(REPO, 'node_modules', '.cache', 'fichier-dav-memory');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, variants: { type: 'string' } } });
const RUNS = Number(values.runs);

/** A plugin that resolves each of `pkgs` to a stub module exporting the package's names as undefined. */
async function stubs(pkgs: string[]): Promise<Plugin> {
  const files = new Map<string, string>();
  for (const p of pkgs) {
    const ns = (await import(p)) as Record<string, unknown>;
    const names = Object.keys(ns).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
    const file = join(OUT, `stub-${p.replace(/[^\w]/g, '_')}.mjs`);
    writeFileSync(file, `${names.map((n) => `export const ${n} = undefined;`).join('\n')}\nexport default undefined;\n`);
    files.set(p, file);
  }
  return {
    name: 'stubs',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (files.has(args.path) ? { path: files.get(args.path)! } : undefined));
    },
  };
}

/**
 * `holdYoungGen`: the runner stops V8 from growing the young generation while the bundle is imported (module
 * compilation allocates fast and everything survives, which makes V8 double the semi-space up to its maximum)
 * and restores the default growth before main() runs, so request handling can still grow it.
 */
async function bundle(name: string, stubbed: string[], holdYoungGen = false): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: [join(REPO, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
    plugins: stubbed.length ? [await stubs(stubbed)] : [],
  });
  // A runner next to the bundle: what bin/fichier-dav.js does once the bundle exists.
  const runner = join(OUT, `${name}-run.mjs`);
  const hold = holdYoungGen ? ["const v8 = await import('node:v8');", "v8.setFlagsFromString('--semi-space-growth-factor=1');"] : [];
  const release = holdYoungGen ? ["v8.setFlagsFromString('--semi-space-growth-factor=2');"] : [];
  writeFileSync(runner, [...hold, `const { main } = await import(${JSON.stringify(outfile)});`, ...release, 'await main(process.argv.slice(2));', ''].join('\n'));
  return runner;
}

const kb = (status: string, key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);

/** Starts the server once, waits for its listening line + 3 s, reads its memory, stops it. */
async function idleOnce(runner: string, nodeOptions: string[], env: Record<string, string>): Promise<{ rss: number; anon: number; file: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fdav-idle-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeOptions, runner, 'serve', 'webdav', '--addr', `127.0.0.1:${port}`, '--cache-dir', join(dir, 'cache')], {
    env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, FICHIER_API_KEY: BENCH_KEY, FICHIER_API_URL: 'http://127.0.0.1:9/v1', ...env },
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    await new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`no listening line: ${out}`)), 60_000);
      const on = (d: Buffer) => {
        out += d.toString();
        if (out.includes('serving webdav on')) {
          clearTimeout(t);
          ok();
        }
      };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
      child.once('exit', () => fail(new Error(`exited: ${out}`)));
    });
    await new Promise((r) => setTimeout(r, 3000));
    const st = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return { rss: kb(st, 'VmRSS') / 1000, anon: kb(st, 'RssAnon') / 1000, file: kb(st, 'RssFile') / 1000 };
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function idle(runner: string, nodeOptions: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const runs: { rss: number; anon: number; file: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await idleOnce(runner, nodeOptions, env));
  const med = (k: 'rss' | 'anon' | 'file') => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!.toFixed(1);
  return `${med('rss')} | ${med('anon')} | ${med('file')}`;
}

const EMULATOR_ONLY = ['@peculiar/asn1-schema', '@peculiar/asn1-x509', 'busboy', 'tweetnacl'];
const AUTH_ONLY = ['bcryptjs', 'apache-md5'];
const TRANSFER_ONLY = ['hash-wasm'];
const variants: [string, string[], string[], boolean?, Record<string, string>?][] = [
  ['as today', [], []],
  ['emulator-only packages stubbed (@peculiar/asn1-*, busboy, tweetnacl)', EMULATOR_ONLY, []],
  ['+ htpasswd packages stubbed (bcryptjs, apache-md5)', [...EMULATOR_ONLY, ...AUTH_ONLY], []],
  ['+ CLI-transfer package stubbed (hash-wasm)', [...EMULATOR_ONLY, ...AUTH_ONLY, ...TRANSFER_ONLY], []],
  ['as today, --max-semi-space-size=1', [], ['--max-semi-space-size=1']],
  ['as today, --max-semi-space-size=2', [], ['--max-semi-space-size=2']],
  ['as today, --max-semi-space-size=1 --v8-pool-size=1', [], ['--max-semi-space-size=1', '--v8-pool-size=1']],
  ['all stubs above, --max-semi-space-size=1', [...EMULATOR_ONLY, ...AUTH_ONLY, ...TRANSFER_ONLY], ['--max-semi-space-size=1']],
  ['young generation held at its initial size while the bundle is imported', [], [], true],
  ['all stubs above + young generation held during the import', [...EMULATOR_ONLY, ...AUTH_ONLY, ...TRANSFER_ONLY], [], true],
  ['as today, --v8-pool-size=1 (one V8 worker thread instead of 4)', [], ['--v8-pool-size=1']],
  ['as today, MALLOC_ARENA_MAX=2 (glibc: at most 2 malloc arenas)', [], [], false, { MALLOC_ARENA_MAX: '2' }],
  ['as today, --max-semi-space-size=2 --v8-pool-size=1', [], ['--max-semi-space-size=2', '--v8-pool-size=1']],
];
console.log(`Idle RSS of serve webdav, MB (10^6 bytes), median of ${RUNS} starts, 3 s after the listening line; node ${process.version}\n`);
console.log('| variant | VmRSS | anon | file |\n|---|--:|--:|--:|');
const chosen = values.variants?.split(',').map(Number);
for (const [i, [label, stubbed, flags, hold, env]] of variants.entries()) {
  if (chosen && !chosen.includes(i)) continue;
  const runner = await bundle(`variant-${i}`, stubbed, hold);
  console.log(`| ${label} | ${await idle(runner, flags, env)} |`);
}
