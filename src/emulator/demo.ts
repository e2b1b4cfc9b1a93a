import { Readable } from 'node:stream';
import { addFile } from './catalog.ts';
import type { Core } from './core.ts';
import { ROOT_ID } from './state.ts';

/**
 * The demo tree, seeded only into an empty account:
 *   welcome.txt
 *   Documents/readme.txt, Documents/notes.md, Documents/Archive/2023/old report.txt
 *   Media/tone 440 Hz.wav (1.5 s sine, generated)
 *   Photos/gradient.bmp (64x64, generated)
 */

/** A mono 16-bit PCM WAV of a sine tone. */
export function toneWav(hz = 440, seconds = 1.5, rate = 8000): Buffer {
  const samples = Math.round(seconds * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    const fade = Math.min(1, i / 400, (samples - i) / 400);
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000 * fade), 44 + i * 2);
  }
  return buf;
}

/** A 24-bit BMP with a colour gradient. */
export function gradientBmp(w = 64, h = 64): Buffer {
  const row = Math.ceil((w * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + row * h);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(w, 18);
  buf.writeInt32LE(h, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(row * h, 34);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 54 + y * row + x * 3;
      buf[o] = Math.round((255 * y) / (h - 1));
      buf[o + 1] = 128;
      buf[o + 2] = Math.round((255 * x) / (w - 1));
    }
  }
  return buf;
}

const README = `fichier-dav demo account
========================

This tree is served by the local 1fichier emulator. Every file here can be listed,
downloaded (with Range requests), renamed, moved, copied and deleted through the API.
`;

const NOTES = `# Notes

- Folder ids are integers; the root is 0.
- File URLs look like https://1fichier.com/?<20 characters> and survive renames and moves.
- Checksums are Whirlpool digests of the bytes.
`;

async function put(core: Core, folderId: number, name: string, data: Buffer | string): Promise<void> {
  const blob = await core.blobs.receive(Readable.from([Buffer.from(data)]));
  addFile(core, blob, folderId, name, 'now');
}

/** Seeds the demo tree when the account is empty; returns whether it did. */
export async function seedDemo(core: Core): Promise<boolean> {
  if (!core.state.isEmpty()) return false;
  const now = core.clock.now();
  const mk = (parent: number, name: string) => core.state.createFolder(parent, name, now).id;
  const docs = mk(ROOT_ID, 'Documents');
  const media = mk(ROOT_ID, 'Media');
  const photos = mk(ROOT_ID, 'Photos');
  const y2023 = mk(mk(docs, 'Archive'), '2023');
  await put(core, ROOT_ID, 'welcome.txt', 'Welcome to the fichier-dav demo account.\n');
  await put(core, docs, 'readme.txt', README);
  await put(core, docs, 'notes.md', NOTES);
  await put(core, y2023, 'old report.txt', 'Quarterly report, 2023. Nothing to see here.\n');
  await put(core, media, 'tone 440 Hz.wav', toneWav());
  await put(core, photos, 'gradient.bmp', gradientBmp());
  return true;
}
