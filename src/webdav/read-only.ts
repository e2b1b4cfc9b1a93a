/**
 * Read-only mode of the server: two wrappers applied once, in createDavServer, instead of a flag checked in
 * the request path (the shape of nephele's read-only plugin).
 * - `refuseWrites(handlers)`: every method that changes something is answered at once with EROFS, which the
 *   error table (errors.ts) turns into 403, before the handler looks anything up: no API call is spent on a
 *   request that can only be refused, and the answer does not reveal whether the target exists.
 * - the VFS is wrapped by vfs/read-only.ts readOnlyVfs, so that no handler, present or future, can change
 *   the drive through a method that is not in WRITE_METHODS.
 * OPTIONS still lists only the methods that do not write (DavOptions.readOnly, handlers/options.ts).
 */
import { FsError } from '../core/errors.ts';
import type { Handler } from './context.ts';

/** The methods that change the drive or its locks: refused in read-only mode. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['PUT', 'MKCOL', 'DELETE', 'PROPPATCH', 'LOCK', 'UNLOCK', 'COPY', 'MOVE']);

const refused: Handler = (_s, r) => Promise.reject(new FsError('EROFS', 'read-only server', { path: r.path }));

/** `handlers` with every write method (by verb) answered EROFS. */
export function refuseWrites(handlers: Readonly<Record<string, Handler>>): Record<string, Handler> {
  return Object.fromEntries(Object.entries(handlers).map(([verb, h]) => [verb, WRITE_METHODS.has(verb.toUpperCase()) ? refused : h]));
}
