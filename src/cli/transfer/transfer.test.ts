import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsError } from '../../core/errors.ts';
import type { ReadRange, RemoteEntry } from '../../remote/types.ts';
import { FICHIER_LIKE, makeKit, type VfsKit } from '../../../test/support/vfs-kit.ts';
import { downloadFile, IntegrityError, partialPathFor } from './download.ts';
import { uploadFile } from './upload.ts';

const DATA = randomBytes(300_000);

let dir: string;
let kit: VfsKit;
let ranges: (ReadRange | undefined)[];
/** The start offsets of the remote reads so far (a whole-file read has no range: 0). */
const starts = (): number[] => ranges.map((r) => r?.start ?? 0);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fdav-transfer-'));
  kit = makeKit({ facts: { ...FICHIER_LIKE, hashes: ['whirlpool'] } });
  ranges = [];
  kit.remote.override('openRead', (file: RemoteEntry, range?: ReadRange, signal?: AbortSignal) => {
    ranges.push(range);
    return kit.backend.openRead(file, range, signal);
  });
  await kit.vfs.writeFile('f.bin', DATA, { size: DATA.length, modTime: 1_600_000_000_000 });
});

afterEach(async () => {
  await kit.vfs.close();
  rmSync(dir, { recursive: true, force: true });
});

/** openRead answering `n` bytes of the range, then failing with a code the VFS does not retry. */
function cutAfter(n: number): void {
  kit.remote.override('openRead', async (file: RemoteEntry, range?: ReadRange) => {
    ranges.push(range);
    const start = range?.start ?? 0;
    let sent = false;
    return new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push(DATA.subarray(start, start + n));
        } else this.destroy(new FsError('EACCES', 'injected', { path: file.path }));
      },
    });
  });
}

describe('downloadFile', () => {
  it('downloads into place with the entry modTime and leaves no .partial', async () => {
    const dst = join(dir, 'f.bin');
    const r = await downloadFile(kit.vfs, 'f.bin', dst);
    expect(r).toMatchObject({ resumedFrom: 0, restarted: false });
    expect(readFileSync(dst).equals(DATA)).toBe(true);
    expect(statSync(dst).mtimeMs).toBe(1_600_000_000_000);
    expect(existsSync(partialPathFor(dst))).toBe(false);
    expect(starts()).toEqual([0]);
  });

  it('leaves a .partial and no final file when interrupted, and resumes it from its size', async () => {
    const dst = join(dir, 'f.bin');
    cutAfter(100_000);
    await expect(downloadFile(kit.vfs, 'f.bin', dst)).rejects.toMatchObject({ code: 'EACCES' });
    expect(existsSync(dst)).toBe(false);
    expect(statSync(partialPathFor(dst)).size).toBe(100_000);
    kit.remote.restore('openRead');
    ranges = [];
    kit.remote.override('openRead', (file: RemoteEntry, range?: ReadRange, signal?: AbortSignal) => {
      ranges.push(range);
      return kit.backend.openRead(file, range, signal);
    });
    const seen: number[] = [];
    const attempts: [number, number][] = [];
    const r = await downloadFile(kit.vfs, 'f.bin', dst, { onBytes: (n) => seen.push(n), onAttempt: (o, rem) => attempts.push([o, rem]) });
    expect(r).toMatchObject({ resumedFrom: 100_000, restarted: false });
    expect(starts()).toEqual([100_000]);
    expect(attempts).toEqual([[100_000, 200_000]]);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(200_000);
    expect(readFileSync(dst).equals(DATA)).toBe(true);
    expect(existsSync(partialPathFor(dst))).toBe(false);
  });

  it('keeps the bytes received before an abort in the .partial', async () => {
    const dst = join(dir, 'f.bin');
    kit.remote.override('openRead', async () => {
      let sent = false;
      return new Readable({
        read() {
          if (!sent) this.push(DATA.subarray(0, 50_000));
          sent = true;
        },
      });
    });
    const ac = new AbortController();
    const err = await downloadFile(kit.vfs, 'f.bin', dst, { signal: ac.signal, onBytes: () => ac.abort(new Error('stop')) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(existsSync(dst)).toBe(false);
    expect(statSync(partialPathFor(dst)).size).toBe(50_000);
  });

  it('restarts once from zero when the resumed file fails the whirlpool check (changed content)', async () => {
    const dst = join(dir, 'f.bin');
    writeFileSync(partialPathFor(dst), randomBytes(1000));
    const r = await downloadFile(kit.vfs, 'f.bin', dst);
    expect(r).toMatchObject({ resumedFrom: 1000, restarted: true });
    expect(starts()).toEqual([1000, 0]);
    expect(readFileSync(dst).equals(DATA)).toBe(true);
  });

  it('starts over when the .partial is bigger than the remote file', async () => {
    const dst = join(dir, 'f.bin');
    writeFileSync(partialPathFor(dst), randomBytes(DATA.length + 10));
    const r = await downloadFile(kit.vfs, 'f.bin', dst);
    expect(r).toMatchObject({ resumedFrom: 0, restarted: false });
    expect(starts()).toEqual([0]);
    expect(readFileSync(dst).equals(DATA)).toBe(true);
  });

  it('only verifies a complete .partial', async () => {
    const dst = join(dir, 'f.bin');
    writeFileSync(partialPathFor(dst), DATA);
    const r = await downloadFile(kit.vfs, 'f.bin', dst);
    expect(r.resumedFrom).toBe(DATA.length);
    expect(starts()).toEqual([]);
    expect(readFileSync(dst).equals(DATA)).toBe(true);
  });

  it('fails with EIO and keeps nothing when a fresh download is corrupted', async () => {
    const dst = join(dir, 'f.bin');
    kit.remote.override('openRead', async () => Readable.from([Buffer.alloc(DATA.length)]));
    const err = await downloadFile(kit.vfs, 'f.bin', dst).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ code: 'EIO' });
    expect(existsSync(dst)).toBe(false);
    expect(existsSync(partialPathFor(dst))).toBe(false);
  });

  it('writes a 0-byte file without reading, and refuses a folder', async () => {
    await kit.vfs.writeFile('empty', Buffer.alloc(0), { size: 0, modTime: 1_500_000_000_000 });
    const dst = join(dir, 'empty');
    await downloadFile(kit.vfs, 'empty', dst);
    expect(statSync(dst).size).toBe(0);
    expect(statSync(dst).mtimeMs).toBe(1_500_000_000_000);
    expect(starts()).toEqual([]);
    await kit.vfs.mkdir('d');
    await expect(downloadFile(kit.vfs, 'd', join(dir, 'd'))).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('uploadFile', () => {
  it('uploads with the exact size and the local mtime as modTime', async () => {
    const src = join(dir, 'up.bin');
    writeFileSync(src, DATA);
    utimesSync(src, 1_650_000_000, 1_650_000_000.25);
    let n = 0;
    const entry = await uploadFile(kit.vfs, src, 'up.bin', { onBytes: (b) => (n += b) });
    expect(entry).toMatchObject({ size: DATA.length, modTime: 1_650_000_000_250 });
    expect(n).toBe(DATA.length);
    expect(kit.remote.calls.put).toBe(2);
  });

  it('stores a 0-byte file as the VFS does (local-only), without a put', async () => {
    const src = join(dir, 'zero');
    writeFileSync(src, '');
    const puts = kit.remote.calls.put;
    const entry = await uploadFile(kit.vfs, src, 'zero');
    expect(entry).toMatchObject({ size: 0, local: true });
    expect(kit.remote.calls.put).toBe(puts);
  });

  it('removes the stored copy and fails with EIO when its whirlpool differs', async () => {
    const src = join(dir, 'up.bin');
    writeFileSync(src, DATA);
    kit.remote.override('put', (parent, name, source, opts) => {
      const flip = new Transform({
        transform(chunk: Buffer, _e, cb) {
          const c = Buffer.from(chunk);
          c[0] = c[0]! ^ 0xff;
          cb(null, c);
        },
      });
      return kit.backend.put(parent, name, source.pipe(flip), opts);
    });
    await expect(uploadFile(kit.vfs, src, 'up.bin')).rejects.toMatchObject({ code: 'EIO' });
    await expect(kit.vfs.stat('up.bin')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a folder', async () => {
    await expect(uploadFile(kit.vfs, dir, 'x')).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
