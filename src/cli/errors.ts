/**
 * The one translation of errors to what a command prints: an FsError as `CODE message` (its cause's 1fichier
 * advice appended when there is one), anything else by its message. Exit statuses: usage errors 2, others 1.
 */
import { FichierApiError } from '../api/errors.ts';
import { FsError } from '../core/errors.ts';

/** One line describing `err` for a user; the caller redacts it. */
export function errorMessage(err: unknown): string {
  if (err instanceof FsError) {
    const cause = err.cause instanceof FichierApiError ? ` (${err.cause.message})` : '';
    return `${err.code}: ${err.message}${cause}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
