/**
 * `fichier-dav lsjson remote:path`: rclone's lsjson. A JSON array, one object per line
 * (`[\n{...},\n{...}\n]\n`), each {Path, Name, Size, MimeType, ModTime, IsDir, Hashes?, ID?} in rclone's key
 * order. Folders have Size -1 and MimeType inode/directory; ModTime is RFC 3339 with milliseconds (the VFS
 * keeps client modtimes to the millisecond), "" with --no-modtime as rclone prints a zero time. On a file,
 * the array holds that file.
 */
import { Command } from 'commander';
import type { VfsEntry } from '../../vfs/types.ts';
import type { CliIo } from '../context.ts';
import { accountPath } from '../paths.ts';
import { withSession } from '../run.ts';
import { examples, rfc3339Millis } from './format.ts';
import { effectiveDepth, maxDepthOption, walk, type Listed } from './list-walk.ts';

export interface LsjsonFlags {
  recursive?: boolean;
  dirsOnly?: boolean;
  filesOnly?: boolean;
  hash?: boolean;
  noModtime?: boolean;
  noMimetype?: boolean;
  original?: boolean;
  maxDepth?: number;
}

/** rclone's ListJSONItem, keys in its order; optional keys are left out when empty (Go's omitempty). */
export interface LsjsonItem {
  Path: string;
  Name: string;
  Size: number;
  MimeType?: string;
  ModTime: string;
  IsDir: boolean;
  Hashes?: Record<string, string>;
  ID?: string;
}

const HASH_ORDER = ['whirlpool', 'md5', 'sha1'] as const;

function hashesOf(e: VfsEntry): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const h of HASH_ORDER) {
    const v = e.hashes[h];
    if (v) out[h] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The lsjson object for one listed entry, or undefined when the flags filter it out. */
export function lsjsonItem({ entry, rel }: Listed, flags: LsjsonFlags): LsjsonItem | undefined {
  const isDir = entry.kind === 'dir';
  if ((isDir && flags.filesOnly) || (!isDir && flags.dirsOnly)) return undefined;
  const hashes = !isDir && flags.hash ? hashesOf(entry) : undefined;
  return {
    Path: rel,
    Name: entry.name,
    Size: isDir ? -1 : entry.size,
    ...(flags.noMimetype ? {} : { MimeType: isDir ? 'inode/directory' : entry.mimeType }),
    ModTime: flags.noModtime ? '' : rfc3339Millis(entry.modTime),
    IsDir: isDir,
    ...(hashes ? { Hashes: hashes } : {}),
    ...(flags.original && entry.id !== '' ? { ID: entry.id } : {}),
  };
}

export function lsjsonCommand(io: CliIo): Command {
  return new Command('lsjson')
    .description('List a path as JSON (rclone lsjson): Path, Name, Size, MimeType, ModTime, IsDir, and Hashes/ID on request.')
    .argument('<remote:path>', 'the folder (or file) to list; a bare path is a path in the account')
    .option('-R, --recursive', 'list every level below the path')
    .option('--dirs-only', 'list folders only')
    .option('--files-only', 'list files only')
    .option('--hash', 'add Hashes: whirlpool (from 1fichier), md5 and sha1 when known (files written through fichier-dav)')
    .option('--no-modtime', 'leave ModTime empty (faster on some remotes; kept for rclone compatibility)')
    .option('--no-mimetype', 'leave out MimeType')
    .option('--original', 'add ID: the 1fichier file URL or folder id')
    .addOption(maxDepthOption())
    .addHelpText('after', examples('fichier-dav lsjson fichier:Movies', 'fichier-dav lsjson -R --hash --files-only fichier:'))
    .action(async (spec: string, opts: Record<string, unknown>, cmd: Command) => {
      const flags = lsjsonFlags(opts);
      const target = accountPath(spec);
      const depth = effectiveDepth(flags.maxDepth, flags.recursive ?? false);
      await withSession(cmd, io, target.remote, async (s) => {
        let first = true;
        for await (const listed of walk(s.vfs, target.path, depth)) {
          const item = lsjsonItem(listed, flags);
          if (!item) continue;
          io.stdout.write((first ? '[\n' : ',\n') + JSON.stringify(item));
          first = false;
        }
        io.stdout.write(first ? '[\n]\n' : '\n]\n');
      });
    });
}

/** Commander's values for the negatable flags (`--no-modtime` sets `modtime: false`) as LsjsonFlags. */
function lsjsonFlags(o: Record<string, unknown>): LsjsonFlags {
  const bool = (k: string): boolean => o[k] === true;
  return {
    recursive: bool('recursive'),
    dirsOnly: bool('dirsOnly'),
    filesOnly: bool('filesOnly'),
    hash: bool('hash'),
    noModtime: o.modtime === false,
    noMimetype: o.mimetype === false,
    original: bool('original'),
    ...(typeof o.maxDepth === 'number' ? { maxDepth: o.maxDepth } : {}),
  };
}
