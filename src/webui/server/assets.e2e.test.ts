import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetCache, buildAssets, findProjectRoot } from './assets.ts';

const root = join(import.meta.dirname, '..', '..', '..');

describe('the client bundle', () => {
  it('is deterministic: the same sources give the same bytes and so the same hashed names', async () => {
    const a = await buildAssets(root);
    const b = await buildAssets(root);
    expect(a.script.name).toMatch(/^app\.[0-9a-f]{16}\.js$/);
    expect(a.style.name).toMatch(/^app\.[0-9a-f]{16}\.css$/);
    expect(a.icon.name).toMatch(/^icon\.[0-9a-f]{16}\.svg$/);
    expect([b.script.name, b.style.name, b.icon.name]).toEqual([a.script.name, a.style.name, a.icon.name]);
    expect(a.byName(a.style.name)).toBe(a.style);
    expect(a.byName('app.js')).toBeUndefined();
    // Offline-safe: nothing in the bundle points at another host (but the SVG namespace and an input's placeholder).
    const urls = `${a.script.body.toString()}${a.style.body.toString()}`.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"'`)]*/gi) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg' && u !== 'https://example.com/file.iso')).toEqual([]);
    expect(a.style.body.toString()).not.toMatch(/@import|url\(/);
  });

  it("finds the sources from the launcher's bundle directory as well as from its own", () => {
    expect(findProjectRoot(join(root, 'node_modules', '.cache', 'fichier-dav'))).toBe(root);
    expect(findProjectRoot(import.meta.dirname)).toBe(root);
    expect(() => findProjectRoot('/')).toThrow(/not found/);
  });

  it('is built once per process, and a failed build is tried again', async () => {
    let calls = 0;
    const get = assetCache(() => {
      calls++;
      if (calls === 1) throw new Error('no sources');
      return root;
    });
    await expect(get()).rejects.toThrow('no sources');
    const [x, y] = await Promise.all([get(), get()]);
    expect(x).toBe(y);
    expect(calls).toBe(2);
  });
});
