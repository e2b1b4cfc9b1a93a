/**
 * bin/fichier-dav.js runs the sources either from a cached esbuild bundle (the default: no tsx loader thread,
 * fast start) or through tsx (FICHIER_DAV_NO_BUNDLE=1, or when the bundle cannot be built); both must behave
 * the same.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'fichier-dav.js');

function help(env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, [BIN, 'serve', 'webdav', '--help'], { env: { PATH: process.env.PATH, HOME: '/nonexistent', ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('launcher', () => {
  it('serves the same command from the bundle and from tsx', { timeout: 90_000 }, () => {
    const bundled = help({});
    const cache = join(ROOT, 'node_modules', '.cache', 'fichier-dav');
    const bundles = readdirSync(cache).filter((f) => /^main-[0-9a-f]{16}$/.test(f));
    expect(bundles).toHaveLength(1);
    // Split: the emulator is a chunk of its own, loaded only by what uses it.
    const chunks = readdirSync(join(cache, bundles[0]!));
    expect(chunks).toContain('main.mjs');
    expect(chunks.some((c) => c.startsWith('emulator-'))).toBe(true);
    expect(bundled).toContain('--vfs-read-chunk-size');
    expect(help({ FICHIER_DAV_NO_BUNDLE: '1' })).toBe(bundled);
  });
});
