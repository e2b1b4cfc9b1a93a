/**
 * The one translation of errors to what a command prints: an FsError as `CODE message`, with its cause's
 * message appended when it says more (the service's own advice, e.g. a ban's wait), anything else by its
 * message. Exit statuses: usage errors 2, others 1.
 */
import { FsError } from '../core/errors.ts';

/** One line describing `err` for a user; the caller redacts it. */
export function errorMessage(err: unknown): string {
  if (err instanceof FsError) {
    const said = err.cause instanceof Error ? err.cause.message : '';
    return `${err.code}: ${err.message}${said !== '' && !err.message.includes(said) ? ` (${said})` : ''}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
