/**
 * The README's promise, checked on a fresh clone: the Quick start block's commands run exactly as written
 * (`npm install`, then `npm start` with the port override the README documents), a WebDAV client gets a 207
 * listing of the demo tree from the embedded emulator, and a browser gets the web file manager's page and
 * script. Then Ctrl-C (SIGINT) stops everything, exit 0.
 *
 * The clone takes HEAD of the repository (commit your work first when running this locally); npm runs with
 * the machine's npm cache and user config (so no download beyond the registry) but a private HOME, so no
 * rclone config or API key of the machine is picked up.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'fdav-readme-'));
const clone = join(dir, 'fichier-dav');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The commands of the first ```sh block under "Quick start". */
function quickStart(readme: string): string[] {
  const section = readme.slice(readme.search(/^##+ Quick start/m));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README has no ```sh block under "Quick start"');
  return block[1]!.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function env(): NodeJS.ProcessEnv {
  const real = homedir();
  const keep = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/API_KEY|^RCLONE_|^FICHIER_/.test(k)));
  return { ...keep, HOME: join(dir, 'home'), npm_config_cache: join(real, '.npm'), npm_config_userconfig: join(real, '.npmrc'), XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') };
}

describe('README quick start on a fresh clone', () => {
  it('npm install, then npm start serves the demo tree over WebDAV', { timeout: 300_000 }, async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const commands = quickStart(readme);
    expect(commands).toEqual(['npm install', 'npm start']);
    const override = /`(npm start -- --addr 127\.0\.0\.1:)\d+`/.exec(readme);
    expect(override, 'README documents the port override').not.toBeNull();

    execFileSync('git', ['clone', '-q', REPO, clone]);
    execFileSync('sh', ['-c', commands[0]!], { cwd: clone, env: env(), stdio: 'ignore', timeout: 240_000 });

    const child = spawn('sh', ['-c', `exec ${override![1]}0`], { cwd: clone, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not announce a URL\n${out}`)), 60_000);
      child.stdout!.on('data', () => {
        const m = /serving webdav on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then(() => reject(new Error(`npm start exited early\n${out}`)));
    });
    expect(out).toMatch(/LOCAL EMULATOR/);
    expect(out).toMatch(/Finder/);
    expect(out).toMatch(/DavWWWRoot/);
    expect(out).toMatch(/davfs/);

    const res = await fetch(url, { method: 'PROPFIND', headers: { Depth: '1' } });
    expect(res.status).toBe(207);
    const body = await res.text();
    expect(body).toMatch(/<(D:|d:)?multistatus/);
    for (const name of ['Documents/', 'Media/', 'Photos/', 'welcome.txt']) expect(body).toContain(name);

    // A browser opening the URL gets the web file manager, its script built on the spot: no build step.
    const page = await fetch(url, { headers: { Accept: 'text/html' } });
    const html = await page.text();
    const script = /<script type="module" src="([^"]+)"/.exec(html)?.[1];
    expect(script, html).toMatch(/\?asset=app\.[0-9a-f]{16}\.js$/);
    const js = await fetch(new URL(script!, url));
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(10_000);

    process.kill(-child.pid!, 'SIGINT');
    const end = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    expect(end, out).not.toBe('timeout');
    // npm re-raises the signal its script died of (or exits 130); what matters is that the server is gone.
    expect([0, 130].includes(end === 'timeout' ? -1 : (end.code ?? -1)) || (end !== 'timeout' && end.signal === 'SIGINT'), JSON.stringify(end)).toBe(true);
    await expect(fetch(url, { method: 'OPTIONS' })).rejects.toThrow();
  });
});
