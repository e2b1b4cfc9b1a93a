/**
 * The systemd units in scripts/ are accepted by systemd itself (`systemd-analyze verify`, which checks every
 * directive and the ExecStart binary), and their ExecStart lines use only flags that fichier-dav accepts, so a
 * unit copied from the README starts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.ts';

/** Each unit, and how its ExecStart line fails here once every flag has been parsed and accepted. */
const UNITS: Record<string, RegExp> = {
  'fichier-dav.service': /no API key/,
  'fichier-dav-mount.service': /mount point \/mnt\/fichier does not exist/,
};
const scripts = join(import.meta.dirname, '..', 'scripts');

function verify(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['verify', file], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('systemd units', () => {
  for (const [unit, laterFailure] of Object.entries(UNITS)) {
    it(`${unit} passes systemd-analyze verify`, async () => {
      const r = await verify(join(scripts, unit));
      expect(r.code, r.output).toBe(0);
      expect(r.output.trim()).toBe('');
    });

    it(`${unit} starts fichier-dav with flags it accepts`, async () => {
      const execStart = /^ExecStart=\S+ (?:--\S+ )*\S+fichier-dav\.js (.+)$/m.exec(readFileSync(join(scripts, unit), 'utf8'))?.[1];
      expect(execStart).toBeDefined();
      const args = execStart!.split(/\s+/).map((a) => a.replace(/%C/g, '/var/cache'));
      let err = '';
      const io = { stdout: { write: () => true }, stderr: { write: (t: string) => (err += t) }, env: { HOME: '/nonexistent-home', PATH: process.env.PATH }, cwd: '/' };
      // Without a key (serve) or a mount point (mount) the line fails here, but only after every flag was parsed.
      expect(await run(args, io)).not.toBe(0);
      expect(err).not.toMatch(/unknown option|invalid|error: /);
      expect(err).toMatch(laterFailure);
    });
  }
});
