/**
 * The configuration layer's one error type. Messages name the field, the file and where a value came from,
 * never the value itself (it may be a secret pasted into the wrong field).
 */
import { CodedError } from '../util/coded-error.ts';

export type ConfigErrorCode =
  /** A value of the wrong type or out of range (mount.json, environment or flag). */
  | 'bad-field'
  /** A mount.json field the schema does not know. */
  | 'unknown-field'
  /** A known field that may not be written in mount.json (the API key, the WebDAV password). */
  | 'not-in-file'
  /** mount.json is not valid JSON, or not a JSON object. */
  | 'bad-json'
  /** A file named explicitly (--mount-config, FICHIER_DAV_CONFIG, apiKeyFrom file:) does not exist. */
  | 'not-found'
  /** A file exists but cannot be read. */
  | 'read-failed'
  /** apiKeyFrom names an environment variable that is not set, or a file that is empty. */
  | 'key-missing'
  /** The rclone remote named on the command line, mount.json or env does not exist. */
  | 'remote-not-found'
  /** rclone.conf could not be used (parse error, wrong type, encrypted without or with a wrong password...). */
  | 'rclone-config';

export class ConfigError extends CodedError<ConfigErrorCode> {
  override readonly name = 'ConfigError';
  /** The dotted field at fault, when there is one. */
  readonly field?: string;
  /** The file at fault, when there is one. */
  readonly file?: string;

  constructor(code: ConfigErrorCode, message: string, opts: { field?: string; file?: string; cause?: unknown } = {}) {
    super(code, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    if (opts.field !== undefined) this.field = opts.field;
    if (opts.file !== undefined) this.file = opts.file;
  }
}
