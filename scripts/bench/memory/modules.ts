/**
 * Resident memory at start-up, module group by module group: each step runs in a fresh `node --expose-gc`
 * process that imports the step's modules (and, where it says so, creates what the server creates at start),
 * collects garbage twice, and reports VmRSS split into anonymous pages and file pages (of which the node
 * binary's own pages: code and the embedded ICU data, shared and clean), plus process.memoryUsage().
 * "alone" rows import one group over bare node (they overlap: the first sizeable import pays for V8's compiler
 * pages and the young generation's growth, whichever group it is); the last rows import everything the server
 * loads. Nothing is listened on; no network.
 *
 *   node --import tsx scripts/bench/memory/modules.ts [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);

/** What a child prints: kB from /proc/self/status and smaps, bytes from process.memoryUsage(). */
interface Sample {
  rss: number;
  anon: number;
  file: number;
  nodeBin: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const REPORT = `
const fs = await import('node:fs');
globalThis.gc(); await new Promise((r) => setTimeout(r, 300)); globalThis.gc();
const st = fs.readFileSync('/proc/self/status', 'utf8');
const kb = (k) => Number(new RegExp('^' + k + ':\\\\s+(\\\\d+)', 'm').exec(st)[1]);
let nodeBin = 0, name = '';
for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\\n')) {
  const m = /^[0-9a-f]+-[0-9a-f]+ \\S+ \\S+ \\S+ \\S+\\s*(.*)$/.exec(line);
  if (m) name = m[1]; else if (line.startsWith('Rss:') && name === process.execPath) nodeBin += Number(line.split(/\\s+/)[1]);
}
const mu = process.memoryUsage();
console.log(JSON.stringify({ rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), nodeBin, heapTotal: mu.heapTotal, heapUsed: mu.heapUsed, external: mu.external, arrayBuffers: mu.arrayBuffers }));
`;

const CORE = ['node:http', 'node:https', 'node:net', 'node:tls', 'node:crypto', 'node:fs', 'node:fs/promises', 'node:stream', 'node:stream/promises', 'node:os', 'node:path', 'node:events', 'node:util', 'node:module'];
const imp = (mods: string[]): string => mods.map((m) => `await import(${JSON.stringify(m)});`).join('\n');
const bundle = (): string => {
  const dir = join(REPO, 'node_modules', '.cache', 'fichier-dav');
  const name = readdirSync(dir).find((f) => /^main-[0-9a-f]+\.mjs$/.test(f));
  if (!name) throw new Error(`no bundle in ${dir}: start the server once (node bin/fichier-dav.js --help) to build it`);
  return join(dir, name);
};

/** src/store bundled on its own (dependencies external), so that no TypeScript loader is in the process. */
const STORE_BUNDLE = join(REPO, 'node_modules', '.cache', 'fichier-dav-memory', 'store.mjs');
buildSync({ entryPoints: [join(REPO, 'src/store/index.ts')], outfile: STORE_BUNDLE, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'silent' });

/** Steps: a label and the code run before the report. */
const GROUPS: [string, string][] = [
  ['node core modules (http, https, tls, crypto, fs, stream...)', imp(CORE)],
  ['undici', imp(['undici'])],
  ['better-sqlite3 (import only)', imp(['better-sqlite3'])],
  [
    'better-sqlite3 + an empty store opened (schema, pragmas, 30 prepared statements)',
    `const { openMetaStore } = await import(${JSON.stringify(STORE_BUNDLE)}); const dir = fs0.mkdtempSync('/tmp/fdav-mem-'); openMetaStore({ file: dir + '/m.sqlite' });`,
  ],
  ['pino (+ one logger)', `const { pino } = await import('pino'); pino({ level: 'info' }).info('x');`],
  ['prom-client (+ default metrics, one collection)', `const p = await import('prom-client'); const r = new p.Registry(); p.collectDefaultMetrics({ register: r }); await r.metrics();`],
  ['webdav-server', imp(['webdav-server'])],
  ['commander, saxes, lru-cache, mime-types, p-limit, bcryptjs', imp(['commander', 'saxes', 'lru-cache', 'mime-types', 'p-limit', 'bcryptjs'])],
  ['hash-wasm (+ one Whirlpool hasher)', `const h = await import('hash-wasm'); (await h.createWhirlpool()).update('x');`],
  ['emulator-only packages (@peculiar/asn1-*, busboy, tweetnacl)', imp(['@peculiar/asn1-schema', '@peculiar/asn1-x509', 'busboy', 'tweetnacl'])],
  ['esbuild (imported by the launcher only when it rebuilds)', imp(['esbuild'])],
  ['tsx loader (the launcher\'s fallback) + the sources through it', `const { register } = await import('tsx/esm/api'); register(); await import(${JSON.stringify(join(REPO, 'src/cli/main.ts'))});`],
];

function runChild(code: string): Sample {
  const src = `const fs0 = await import('node:fs');\n${code}\n${REPORT}`;
  const args = ['--expose-gc', '--input-type=module', '-e', src];
  const out = execFileSync(process.execPath, args, { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Sample;
}

/** The median of `RUNS` runs of each field. */
function measure(code: string): Sample {
  const runs = Array.from({ length: RUNS }, () => runChild(code));
  const med = (k: keyof Sample) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;
  return { rss: med('rss'), anon: med('anon'), file: med('file'), nodeBin: med('nodeBin'), heapTotal: med('heapTotal'), heapUsed: med('heapUsed'), external: med('external'), arrayBuffers: med('arrayBuffers') };
}

const mb = (kb: number): string => (kb / 1000).toFixed(1);
const mbB = (b: number): string => (b / 1e6).toFixed(1);
const row = (label: string, s: Sample, base?: Sample): string => {
  const d = (k: keyof Sample, f: (n: number) => string) => (base ? `${f(s[k] - base[k])}` : f(s[k]));
  return `| ${label} | ${d('rss', mb)} | ${d('anon', mb)} | ${d('file', mb)} | ${d('nodeBin', mb)} | ${d('heapTotal', mbB)} | ${d('heapUsed', mbB)} | ${d('external', mbB)} | ${d('arrayBuffers', mbB)} |`;
};

const head = '| step | VmRSS | anon | file | node binary | heapTotal | heapUsed | external | arrayBuffers |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|';
const base = measure('');
console.log(`MB (10^6 bytes); median of ${RUNS} fresh processes per row; node ${process.version}\n`);
console.log(`${head}\n${row('bare node (absolute)', base)}`);
console.log('\nEach group alone, above bare node:\n');
console.log(head);
for (const [label, code] of GROUPS) console.log(row(label, measure(code), base));
const SERVER_SET: [string, string][] = [
  ...GROUPS.slice(0, 10),
  ['the launcher\'s bundle (every module of src/, main not run)', `await import(${JSON.stringify(bundle())});`],
];
const all = measure(SERVER_SET.map(([, c]) => c).join('\n'));
// No "all but X" rows: the bundle imports every package statically, so leaving a group out of this list does not
// unload it. What making an import lazy would save is measured on the real server by idle-variants.ts.
console.log('\nEverything the server loads (groups 1-10 and the bundle):\n');
console.log(head);
console.log(row('all together (absolute)', all));
console.log(row('all together, above bare node', all, base));
