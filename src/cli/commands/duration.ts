/**
 * Duration flags of the commands (--timeout, --interval): rclone's duration syntax (`30s`, `10m`, `1h30m`,
 * `250ms`; a bare number is seconds), read by the config layer's parser.
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration, UnitError } from '../../config/units.ts';

/** Commander argParser: the duration in ms. Throws InvalidArgumentError (a usage error, exit 2). */
export function parseDurationFlag(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    if (err instanceof UnitError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}
