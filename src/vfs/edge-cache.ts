/**
 * A persistent cache of the edges of files: the first `headBytes` and the last `tailBytes` of every remote file
 * read, kept on disk in one directory within a total size (rclone's --vfs-cache-max-size), least recently used
 * evicted first. It survives restarts: a media library rescanned after a restart costs no API call and no byte.
 *
 * Why the edges: what media scanners and previews read is there. ffprobe reads tens of KiB at the start of a
 * file, and for an MP4 with its index at the end, the index (about 0.6 KiB per second of video: ~4.5 MB for a
 * two-hour film); MKV keeps what a probe needs at the start. So the defaults are a 1 MiB head and a 4 MiB tail;
 * a file no larger than both is cached whole. bench/memory.md has the measured read patterns.
 *
 * How: an edge (head or tail window of a file) is filled whole the first time any byte of it is read, with one
 * ranged read of the window, and written to a temporary file renamed into place when complete, so a cached edge
 * is never partial. A read is split into pieces: the parts inside an edge come from the edge's file, the middle
 * of the file streams from the remote as before. So a read wholly inside cached edges makes no remote call, and
 * a read that is partly cached fetches only the rest. A fill that fails (disk full, remote error) is logged and
 * the piece streams from the remote instead, so the cache never makes a read fail that would have worked.
 *
 * Never stale: an edge's file is named by a hash of the file's id, size, modification time and checksums, so a
 * file that changed (1fichier gives new content a new id; a changed entry has another size, date or hash) never
 * finds the old bytes; they are left to eviction. The directory is the account's (beside its metadata store).
 *
 * Least recently used: the order is kept in memory and in the files' modification times (set on each use), so a
 * restart rebuilds it by scanning the directory once, in the background of the first read.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FsError } from '../core/errors.ts';
import type { ByteSpan } from '../core/span.ts';
import type { RemoteEntry } from '../remote/types.ts';
import type { Logger } from '../util/log.ts';

export interface EdgeCacheOptions {
  /** The directory of the cached edges (created when missing). */
  dir: string;
  /** Total bytes of cached edges; -1 = no limit; 0 = no cache (every read streams from the remote). */
  maxBytes: number;
  /** Bytes kept from the start of a file. */
  headBytes: number;
  /** Bytes kept from the end of a file (those not already in the head). */
  tailBytes: number;
  logger: Logger;
}

/**
 * Streams `span` of the file from the remote (with the reader's resume and retries). `signal` is given for the
 * cache's own fills (aborted when the cache closes); without it, the stream belongs to the reader's request.
 */
export type RemoteSpanReader = (span: ByteSpan, signal?: AbortSignal) => Readable;

interface Edge {
  /** The edge's file name in the cache directory. */
  name: string;
  /** Where it lies in the file. */
  span: ByteSpan;
}

/** A piece of a read: from an edge, or (no edge) from the remote. */
interface Piece {
  span: ByteSpan;
  edge?: Edge;
}

export interface EdgeCacheStats {
  /** Pieces of reads served from a cached edge. */
  hits: number;
  /** Edges filled from the remote. */
  fills: number;
  /** Bytes of the cached edges now. */
  bytes: number;
}

const TMP_SUFFIX = '.tmp';

export class EdgeCache {
  readonly #opts: EdgeCacheOptions;
  /** Edge file name -> its size; Map order = least recently used first. */
  readonly #index = new Map<string, number>();
  #bytes = 0;
  /** The directory scan that rebuilds the index (started by the first read). */
  #loaded: Promise<void> | undefined;
  /** Fills in progress, by edge name: concurrent reads of one edge share one remote read. */
  readonly #filling = new Map<string, Promise<void>>();
  readonly #ac = new AbortController();
  #seq = 0;
  readonly #stats = { hits: 0, fills: 0 };

  constructor(opts: EdgeCacheOptions) {
    this.#opts = opts;
  }

  stats(): EdgeCacheStats {
    return { ...this.#stats, bytes: this.#bytes };
  }

  /**
   * Streams `span` of `file`: the parts inside its edges from the cache (filling an edge first when it is not
   * there yet), the rest through `remote`. Errors as `remote`'s streams do.
   */
  read(file: RemoteEntry, span: ByteSpan, remote: RemoteSpanReader, signal?: AbortSignal): Readable {
    const pieces = this.#pieces(file, span);
    if (!pieces.some((p) => p.edge)) return remote(span);
    const stream = Readable.from(this.#stream(file, pieces, remote), { objectMode: false });
    if (signal) {
      const onAbort = (): void => void stream.destroy(signal.reason instanceof Error ? signal.reason : new FsError('EIO', 'read aborted', { path: file.path }));
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', onAbort));
    }
    return stream;
  }

  /** Stops the fills in progress and waits for them (their temporary files are removed). */
  async close(): Promise<void> {
    this.#ac.abort();
    await Promise.allSettled([...this.#filling.values()]);
  }

  /** `span` cut at the edges of `file` (no edge when the cache is off or an edge could never fit). */
  #pieces(file: RemoteEntry, span: ByteSpan): Piece[] {
    const { headBytes, tailBytes, maxBytes } = this.#opts;
    const head = Math.min(headBytes, file.size);
    const tailStart = Math.max(head, file.size - tailBytes);
    const edges: Edge[] = [];
    const key = edgeKey(file);
    if (head > 0) edges.push({ name: `${key}-h`, span: { start: 0, end: head - 1 } });
    if (tailStart < file.size) edges.push({ name: `${key}-t`, span: { start: tailStart, end: file.size - 1 } });
    const pieces: Piece[] = [];
    let at = span.start;
    for (const edge of edges) {
      if (maxBytes >= 0 && edge.span.end - edge.span.start + 1 > maxBytes) continue;
      if (edge.span.end < at || edge.span.start > span.end) continue;
      if (at < edge.span.start) pieces.push({ span: { start: at, end: edge.span.start - 1 } });
      const end = Math.min(span.end, edge.span.end);
      pieces.push({ span: { start: Math.max(at, edge.span.start), end }, edge });
      at = end + 1;
    }
    if (at <= span.end) pieces.push({ span: { start: at, end: span.end } });
    return pieces;
  }

  async *#stream(file: RemoteEntry, pieces: Piece[], remote: RemoteSpanReader): AsyncGenerator<Buffer> {
    for (const piece of pieces) {
      const source = piece.edge ? await this.#openEdge(file, piece.edge, piece.span, remote) : remote(piece.span);
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) yield chunk;
      } finally {
        source.destroy();
      }
    }
  }

  /** The bytes `span` of the edge from its cached file (filled first when missing), or from the remote. */
  async #openEdge(file: RemoteEntry, edge: Edge, span: ByteSpan, remote: RemoteSpanReader): Promise<Readable> {
    try {
      await this.#load();
      const length = edge.span.end - edge.span.start + 1;
      if (this.#index.get(edge.name) !== length) await this.#fillOnce(file, edge, remote);
      const handle = await open(join(this.#opts.dir, edge.name), 'r');
      this.#use(edge.name);
      this.#stats.hits += 1;
      return handle.createReadStream({ start: span.start - edge.span.start, end: span.end - edge.span.start });
    } catch (err) {
      this.#opts.logger.warn({ path: file.path, err: err instanceof Error ? err.message : String(err) }, 'read cache: edge not available, reading from the remote');
      return remote(span);
    }
  }

  #fillOnce(file: RemoteEntry, edge: Edge, remote: RemoteSpanReader): Promise<void> {
    let fill = this.#filling.get(edge.name);
    if (!fill) {
      fill = this.#fill(edge, remote).finally(() => this.#filling.delete(edge.name));
      this.#filling.set(edge.name, fill);
    }
    return fill;
  }

  /** Reads the whole edge from the remote into a temporary file, then renames it into place and evicts. */
  async #fill(edge: Edge, remote: RemoteSpanReader): Promise<void> {
    const final = join(this.#opts.dir, edge.name);
    const tmp = `${final}.${process.pid}.${++this.#seq}${TMP_SUFFIX}`;
    try {
      await pipeline(remote(edge.span, this.#ac.signal), createWriteStream(tmp, { flags: 'wx' }));
      const { size } = await stat(tmp);
      const length = edge.span.end - edge.span.start + 1;
      if (size !== length) throw new Error(`edge fill wrote ${size} bytes, expected ${length}`);
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.#stats.fills += 1;
    this.#forget(edge.name);
    this.#index.set(edge.name, edge.span.end - edge.span.start + 1);
    this.#bytes += edge.span.end - edge.span.start + 1;
    await this.#evict();
  }

  /** Marks `name` most recently used, in memory and (for the next start) in its file's modification time. */
  #use(name: string): void {
    const size = this.#index.get(name);
    if (size === undefined) return;
    this.#index.delete(name);
    this.#index.set(name, size);
    const now = new Date();
    utimes(join(this.#opts.dir, name), now, now).catch(() => undefined);
  }

  #forget(name: string): void {
    const size = this.#index.get(name);
    if (size === undefined) return;
    this.#index.delete(name);
    this.#bytes -= size;
  }

  /** Removes least recently used edges until the total fits (never the one just added when it alone fits). */
  async #evict(): Promise<void> {
    const { maxBytes, dir } = this.#opts;
    if (maxBytes < 0) return;
    for (const [name] of this.#index) {
      if (this.#bytes <= maxBytes || this.#index.size <= 1) break;
      this.#forget(name);
      await rm(join(dir, name), { force: true });
    }
  }

  /** Rebuilds the index from the directory once: sizes and last use from the files; leftovers removed. */
  #load(): Promise<void> {
    return (this.#loaded ??= this.#scan());
  }

  async #scan(): Promise<void> {
    const { dir } = this.#opts;
    mkdirSync(dir, { recursive: true });
    const found: { name: string; size: number; used: number }[] = [];
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (name.endsWith(TMP_SUFFIX)) {
        await rm(path, { force: true });
        continue;
      }
      try {
        const s = await stat(path);
        if (s.isFile()) found.push({ name, size: s.size, used: s.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    found.sort((a, b) => a.used - b.used);
    for (const f of found) {
      if (this.#index.has(f.name)) continue;
      this.#index.set(f.name, f.size);
      this.#bytes += f.size;
    }
    await this.#evict();
  }
}

/** What names a file's content: its id, size, date and checksums (hex, so the name is safe in any file system). */
function edgeKey(file: RemoteEntry): string {
  const h = file.hashes;
  return createHash('sha256').update([file.id, file.size, file.modTime, h.whirlpool ?? '', h.md5 ?? '', h.sha1 ?? ''].join('\n')).digest('hex').slice(0, 40);
}
