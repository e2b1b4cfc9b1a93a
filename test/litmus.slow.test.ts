/**
 * litmus 0.13 (Debian package, installed by .ci/run) against our server: each group against a fresh server with
 * Basic auth (so the notowner_* lock tests mean something), over the memory remote with 1fichier's facts, then
 * basic + copymove again over the real stack (fichier remote -> emulator). Every group must be 100% and the server
 * must still answer afterwards. basic + copymove also run against a sub-path root (the folder A/B of the account
 * served as /), which must leave everything outside that folder untouched.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Vfs } from '../src/vfs/types.ts';
import { createDavServer } from '../src/webdav/index.ts';
import { startEmulator, type TestEmulator } from './support/emulator.ts';
import { stackSet, type StackSet } from './support/stack.ts';
import { memoryVfs } from './support/vfs-kit.ts';

const USER = 'litmus';
const PASS = 'pa:ss+w/rd';
const EXPECTED: Record<string, number> = { basic: 16, copymove: 13, props: 30, locks: 41, http: 4 };

interface GroupResult {
  group: string;
  run: number;
  passed: number;
  failed: number;
  /** Lines naming failed tests or warnings, for the assertion message. */
  problems: string[];
  alive: number;
}

function runLitmus(url: string, group: string, cwd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'litmus',
      [url, USER, PASS],
      { cwd, env: { ...process.env, TESTS: group }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
}

/** Runs one litmus group against a fresh server over `vfs` and reports its summary. */
async function litmusGroup(vfs: Vfs, group: string): Promise<GroupResult> {
  const dav = createDavServer({ vfs, users: [{ user: USER, pass: PASS }] });
  const cwd = mkdtempSync(join(tmpdir(), 'fdav-litmus-'));
  try {
    const { url } = await dav.listen('127.0.0.1', 0);
    const out = await runLitmus(url, group, cwd);
    const m = new RegExp(`summary for \`${group}': of (\\d+) tests run: (\\d+) passed, (\\d+) failed`).exec(out);
    const problems = out.split('\n').filter((l) => /\bFAIL\b|WARNING|SKIPPED|aborted/.test(l));
    const auth = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
    const probe = await request(url, { method: 'PROPFIND' as 'GET', headers: { depth: '0', authorization: auth } });
    await probe.body.text();
    return {
      group,
      run: m ? Number(m[1]) : 0,
      passed: m ? Number(m[2]) : 0,
      failed: m ? Number(m[3]) : -1,
      problems: m ? problems : [...problems, out.slice(-2000)],
      alive: probe.statusCode,
    };
  } finally {
    await dav.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('litmus over the memory remote (1fichier facts)', () => {
  const results: GroupResult[] = [];

  for (const group of Object.keys(EXPECTED)) {
    it(`${group}: 100% passed, server alive`, { timeout: 90_000 }, async () => {
      const r = await litmusGroup(memoryVfs(), group);
      results.push(r);
      expect({ group, run: r.run, failed: r.failed, problems: r.problems }).toEqual({
        group,
        run: EXPECTED[group],
        failed: 0,
        problems: [],
      });
      expect(r.passed).toBe(r.run);
      expect(r.alive).toBe(207);
    });
  }

  it('ran 104 tests in all', () => {
    expect(results.reduce((n, r) => n + r.passed, 0)).toBe(104);
  });
});

/**
 * basic + copymove over the real stack (fichier remote -> emulator) with the VFS rooted at `root` (made first):
 * 100%, the server alive, and the folders above the root (the account's root, then each ancestor) untouched:
 * each still holds only the next folder of the path and no file.
 */
function litmusOverFichier(title: string, root: string): void {
  describe(title, () => {
    let emu: TestEmulator;
    let stack: StackSet;
    let dir: string;
    /** The ids of the account's root and of each folder above `root`, with the name of the folder each holds. */
    const above: { id: number; holds: string }[] = [];

    beforeAll(async () => {
      emu = await startEmulator();
      stack = stackSet(() => emu);
      dir = mkdtempSync(join(tmpdir(), 'fdav-litmus-store-'));
      let parent = 0;
      for (const name of root.split('/').filter(Boolean)) {
        above.push({ id: parent, holds: name });
        parent = (await emu.api<{ folder_id: number }>('folder/mkdir.cgi', { name, folder_id: parent })).folder_id;
      }
    });

    afterAll(async () => {
      await stack.closeAll();
      await emu.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const outside = () =>
      Promise.all(
        above.map(async ({ id }) => {
          const ls = await emu.api<{ sub_folders?: { name: string }[]; items?: unknown[] }>('folder/ls.cgi', { folder_id: id, files: 1 });
          return { folders: (ls.sub_folders ?? []).map((f) => f.name), files: ls.items ?? [] };
        }),
      );

    for (const group of ['basic', 'copymove']) {
      it(`${group}: 100% passed, server alive, nothing above the root touched`, { timeout: 90_000 }, async () => {
        const { vfs } = await stack.open(join(dir, `${group}.sqlite`), { root });
        const r = await litmusGroup(vfs, group);
        expect({ group, run: r.run, failed: r.failed, problems: r.problems }).toEqual({
          group,
          run: EXPECTED[group],
          failed: 0,
          problems: [],
        });
        expect(r.alive).toBe(207);
        expect(await outside()).toEqual(above.map(({ holds }) => ({ folders: [holds], files: [] })));
      });
    }
  });
}

litmusOverFichier('litmus basic + copymove over the fichier remote and the emulator', '');
litmusOverFichier('litmus basic + copymove against a sub-path root (A/B of the account served as /)', 'A/B');
