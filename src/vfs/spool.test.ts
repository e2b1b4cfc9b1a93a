import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSpool } from './spool.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fdav-spool-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createSpool', () => {
  it('stores what is written, reads it back, and deletes the file on dispose (idempotent)', async () => {
    const spool = await createSpool(dir);
    expect(readdirSync(dir)).toHaveLength(1);
    expect(statSync(spool.path).mode & 0o777).toBe(0o600);
    await spool.write(Buffer.from('hello '));
    await spool.write(new Uint8Array([119, 111, 114, 108, 100]));
    expect(spool.size).toBe(11);
    await spool.close();
    await expect(spool.write(Buffer.from('x'))).rejects.toThrow();
    const parts: Buffer[] = [];
    for await (const c of spool.openRead()) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('hello world');
    await spool.dispose();
    await spool.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('dispose before close and with an open reader still removes the file', async () => {
    const spool = await createSpool(dir);
    await spool.write(Buffer.alloc(100_000, 1));
    const reader = spool.openRead();
    await spool.dispose();
    expect(reader.destroyed).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails with the fs error when the directory is missing', async () => {
    await expect(createSpool(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
