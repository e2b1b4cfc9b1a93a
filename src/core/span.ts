/**
 * Byte spans. A client's range is validated once, where it enters (webdav/range.ts for HTTP Range headers,
 * the CLI for a resumed download); from there down (VFS, reader, remote, download) every layer takes the
 * span as given. A layer that would do harm with a bad span (slicing memory, sizing a request) asserts the
 * invariant with `assertSpan`, which is cheap and never clamps.
 */
import { FsError } from './errors.ts';

/** An inclusive byte span inside a file of `size` bytes: 0 <= start <= end < size. */
export interface ByteSpan {
  start: number;
  end: number;
}

/** Throws ERANGE when `span` is not inside a file of `size` bytes (a caller that skipped validation). */
export function assertSpan(span: ByteSpan, size: number, path: string): void {
  const { start, end } = span;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end < size)) {
    throw new FsError('ERANGE', `byte span ${start}-${end} is not inside the ${size} bytes of the file`, { path });
  }
}

/** The number of bytes in `span`. */
export function spanLength(span: ByteSpan): number {
  return span.end - span.start + 1;
}
