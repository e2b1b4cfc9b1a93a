/**
 * Every command of `fichier-dav`, and the global flags they share (rclone's global flags: config files,
 * logging, cache, pacing, the embedded emulator). Sub-commands inherit the program's output, help and
 * exit behaviour.
 */
import type { Command } from 'commander';
import { schemaOptions } from '../options.ts';
import type { CliIo } from '../context.ts';
import { emulatorCommand } from './emulator.ts';
import { serveCommand } from './serve.ts';
import { aboutCommand } from './about.ts';
import { configCommand } from './config.ts';
import { copyCommand } from './copy.ts';
import { copytoCommand, movetoCommand } from './copyto.ts';
import { deleteCommand } from './delete.ts';
import { linkCommand } from './link.ts';
import { lsCommand, lsdCommand } from './ls.ts';
import { lsjsonCommand } from './lsjson.ts';
import { mkdirCommand, rmdirCommand } from './mkdir.ts';
import { mountCommand } from './mount.ts';
import { remoteUploadCommand } from './remote-upload.ts';

/** The settings every command accepts (see src/config/schema.ts for their docs). */
export const GLOBAL_FIELDS = [
  'logLevel',
  'logFormat',
  'cacheDir',
  'dirCacheTime',
  'vfsReadChunkSize',
  'vfsReadChunkSizeLimit',
  'vfsCaseInsensitive',
  'apiUrl',
  'pacer.minIntervalMs',
  'pacer.concurrency',
  'pacer.banCooldownMs',
  'sharedState',
  'sharedStatePasswordFile',
  'sharedStateFallbackPercent',
  'emulator',
  'emulatorData',
];

function inherit(parent: Command, cmd: Command): void {
  cmd.copyInheritedSettings(parent);
  for (const sub of cmd.commands) inherit(cmd, sub);
}

/** Adds the global flags and every command to `program`. */
export function registerCommands(program: Command, io: CliIo): void {
  program
    .option('--config <file>', "rclone config file (default: rclone's search order, or RCLONE_CONFIG)")
    .option('--mount-config <file>', 'fichier-dav settings file (mount.json; default ./mount.json, then ~/.config/fichier-dav/mount.json; env FICHIER_DAV_CONFIG)')
    .option('-v, --verbose', 'more logging: -v info (one line per WebDAV request), -vv debug', (_v: string, prev: number) => prev + 1, 0)
    .option('-q, --quiet', 'less output: no progress, warnings and errors only');
  for (const opt of schemaOptions(GLOBAL_FIELDS)) program.addOption(opt);
  const commands = [
    serveCommand(io),
    mountCommand(io),
    aboutCommand(io),
    lsCommand(io),
    lsdCommand(io),
    lsjsonCommand(io),
    mkdirCommand(io),
    rmdirCommand(io),
    deleteCommand(io),
    movetoCommand(io),
    copytoCommand(io),
    copyCommand(io),
    linkCommand(io),
    remoteUploadCommand(io),
    configCommand(io),
    emulatorCommand(io),
  ];
  for (const cmd of commands) {
    program.addCommand(cmd);
    inherit(program, cmd);
  }
}
