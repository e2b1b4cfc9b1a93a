/**
 * rclone's depth rules for the listing commands (ls, lsd, lsjson, delete, link -R): `--max-depth N` (1 = the
 * folder's own entries, -1 = no limit), and a command that is not recursive by default (lsd, lsjson) looks one
 * level deep unless -R or --max-depth says otherwise. The walk itself (and its order) is vfs/walk.ts.
 */
import { InvalidArgumentError, Option } from 'commander';

/** `--max-depth N`: an integer >= -1. */
export function maxDepthOption(): Option {
  return new Option('--max-depth <n>', 'descend at most N levels below the path (1 = its own entries, -1 = no limit)').argParser((v: string) => {
    if (!/^-?\d+$/.test(v) || Number(v) < -1) throw new InvalidArgumentError('expected an integer >= -1');
    return Number(v);
  });
}

/** rclone's ConfigMaxDepth: the given depth when recursive (default unlimited), else the given depth or 1. */
export function effectiveDepth(maxDepth: number | undefined, recursive: boolean): number {
  const depth = maxDepth ?? -1;
  return !recursive && depth < 0 ? 1 : depth;
}

export { walk, walkAll, walkFrom, type Listed } from '../../vfs/walk.ts';
