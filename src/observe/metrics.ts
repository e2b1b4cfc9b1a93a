/**
 * Prometheus metrics of one process (prom-client, on a private registry so that two instances never clash).
 *
 * Two kinds of metric:
 * - event-fed: API attempts, API transfer bytes and WebDAV requests, counted as they happen through
 *   `apiObserver` (given to the FichierClient) and `httpRequest` (called by the WebDAV server);
 * - lazily read: pacer and VFS counters, read from the attached sources only when the page is rendered
 *   (prom-client `collect()` callbacks), so nothing polls.
 *
 * Labels come from fixed sets (labels.ts): never a path, a user name, a URL or the API key.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiObserver } from '../api/observer.ts';
import type { PacerStats } from '../api/pacer.ts';
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import type { VfsStats } from '../vfs/types.ts';
import { endpointLabel, methodLabel, outcomeLabel, statusClassLabel } from './labels.ts';

/** Where the lazily read metrics come from; each is called while the page is rendered. */
export interface MetricSources {
  pacerStats?: () => PacerStats;
  vfsStats?: () => VfsStats;
  /** Set when the gateway shares its pacing state with others (Redis). */
  sharedStateStats?: () => SharedStateMetrics;
}

/** What /metrics tells of the shared state. */
export interface SharedStateMetrics {
  /** True while Redis answers. */
  up: boolean;
  /** 'shared', 'settling' (back from a loss, still on the timetable) or 'local' (fallback). */
  mode: 'shared' | 'settling' | 'local';
  losses: number;
  localSteps: number;
  sent: number;
  received: number;
  members: { count: number };
}

export interface Metrics {
  /** Pass to FichierClient's `observer` option: counts API attempts by endpoint and outcome, and transfer bytes. */
  readonly apiObserver: ApiObserver;
  /** Sets (or replaces) the sources of the lazily read metrics. A source that throws leaves its metrics unchanged. */
  attach(sources: MetricSources): void;
  /** Counts one finished WebDAV request (method, status class, bytes of body sent, duration). Never throws. */
  httpRequest(method: string, status: number, bytesOut: number, ms: number): void;
  /** The Prometheus text exposition of every metric. Never rejects because of a failing source. */
  text(): Promise<string>;
  /** The Content-Type of `text()` (Prometheus text format 0.0.4). */
  readonly contentType: string;
  /** The registry holding the metrics. */
  readonly registry: Registry;
}

export interface MetricsOptions {
  /** Default: a new private registry. */
  registry?: Registry;
  /** Time source of the pacer (to turn its cooldown end into remaining seconds). Default: the system clock. */
  clock?: Clock;
  /** Also collect prom-client's default process and Node.js metrics. Default true. */
  defaultMetrics?: boolean;
}

const PREFIX = 'fichierdav_';
const API_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const HTTP_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120];

/** Builds the metrics on `opts.registry` (or a private one). Throws if its metric names are already registered. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = opts.registry ?? new Registry();
  const clock = opts.clock ?? systemClock;
  let sources: MetricSources = {};
  /** The sources read once per rendering (prom-client runs every collect() synchronously in metrics()). */
  let snapshot: { pacer: PacerStats | undefined; vfs: VfsStats | undefined } | undefined;
  const pacer = () => (snapshot ? snapshot.pacer : read(sources.pacerStats));
  const vfs = () => (snapshot ? snapshot.vfs : read(sources.vfsStats));
  const registers = [registry];

  const apiCalls = new Counter({ name: `${PREFIX}api_calls_total`, help: '1fichier API attempts (retries included) by endpoint and outcome (ok or error kind).', labelNames: ['endpoint', 'outcome'], registers });
  const apiDuration = new Histogram({ name: `${PREFIX}api_call_duration_seconds`, help: 'Duration of 1fichier API attempts (download: until the headers; upload.cgi: the whole POST).', labelNames: ['endpoint'], buckets: API_BUCKETS, registers });
  const apiBytes = new Counter({ name: `${PREFIX}api_transfer_bytes_total`, help: 'File bytes sent to (up) or received from (down) 1fichier.', labelNames: ['direction'], registers });
  const httpRequests = new Counter({ name: `${PREFIX}webdav_requests_total`, help: 'WebDAV requests by method and status class.', labelNames: ['method', 'status'], registers });
  const httpDuration = new Histogram({ name: `${PREFIX}webdav_request_duration_seconds`, help: 'Duration of WebDAV requests, until the response ended or the client left.', labelNames: ['method'], buckets: HTTP_BUCKETS, registers });
  const httpBytes = new Counter({ name: `${PREFIX}webdav_response_bytes_total`, help: 'Body bytes sent in WebDAV responses.', registers });

  const lazyCounter = <S>(name: string, help: string, from: () => S | undefined, value: (s: S) => number) =>
    new Counter({
      name: `${PREFIX}${name}`,
      help,
      registers,
      collect() {
        const s = from();
        if (s === undefined) return;
        this.reset();
        this.inc(nonNegative(value(s)));
      },
    });
  const lazyGauge = <S>(name: string, help: string, from: () => S | undefined, value: (s: S) => number) =>
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers,
      collect() {
        const s = from();
        if (s !== undefined) this.set(nonNegative(value(s)));
      },
    });
  const remainingMs = (p: PacerStats) => Math.max(0, (p.cooldownUntil ?? 0) - clock.now());

  lazyCounter('flood_bans_total', 'Flood bans of the API key (each pauses every call for the cooldown).', pacer, (p) => p.bans);
  lazyCounter('api_retries_total', 'API attempts that were retried.', pacer, (p) => p.retries);
  lazyGauge('flood_cooldown_active', '1 while a flood-ban cooldown pauses every API call, else 0.', pacer, (p) => (remainingMs(p) > 0 ? 1 : 0));
  lazyGauge('flood_cooldown_remaining_seconds', 'Seconds left in the current flood-ban cooldown (0 when none).', pacer, (p) => remainingMs(p) / 1000);
  lazyGauge('pacer_active', 'API attempts running (holding a pacer slot).', pacer, (p) => p.active);
  lazyGauge('pacer_queued', 'API attempts waiting for a pacer slot.', pacer, (p) => p.queued);
  lazyGauge('flood_ban_level', 'Level of the last flood ban (1 = first, 2 and more = escalated, longer cooldowns; 0 = none).', pacer, (p) => p.banLevel);
  lazyGauge('listing_budget_waiting', 'Listings waiting for the listing budget (3 s apart, one folder per 30 s).', pacer, (p) => p.listing.foreground + p.listing.background);

  const shared = () => read(sources.sharedStateStats);
  new Gauge({
    name: `${PREFIX}shared_state_enabled`,
    help: '1 when this gateway shares its pacing state with the other gateways of the account (--shared-state), else 0.',
    registers,
    collect() {
      this.set(sources.sharedStateStats ? 1 : 0);
    },
  });
  lazyGauge('shared_state_up', '1 while the shared state (Redis) answers; 0 while this gateway paces on local state, or without --shared-state.', shared, (x) => (x.up ? 1 : 0));
  lazyGauge('shared_state_fallback', '1 while this gateway paces on local state at the fallback share (Redis away, or just back), else 0.', shared, (x) => (x.mode === 'shared' ? 0 : 1));
  lazyCounter('shared_state_losses_total', 'Times the shared state was lost.', shared, (x) => x.losses);
  lazyCounter('shared_state_local_steps_total', 'Pacing steps answered by the local state because the shared one was away.', shared, (x) => x.localSteps);
  lazyCounter('shared_state_changes_sent_total', 'Listing changes told to the other gateways.', shared, (x) => x.sent);
  lazyCounter('shared_state_changes_received_total', 'Listing changes heard from the other gateways.', shared, (x) => x.received);
  lazyGauge('shared_state_gateways', 'Gateways of the account seen alive in the shared state.', shared, (x) => x.members.count);

  lazyCounter('vfs_cache_hits_total', 'Directory reads answered from the listing cache.', vfs, (v) => v.cacheHits);
  lazyCounter('vfs_cache_misses_total', 'Directory reads that needed a listing from 1fichier.', vfs, (v) => v.cacheMisses);
  lazyCounter('vfs_listings_total', 'Folder listings fetched from 1fichier.', vfs, (v) => v.listings);
  lazyCounter('vfs_revalidations_total', 'Stale listings served while refreshed in the background.', vfs, (v) => v.revalidations);
  const byDirection = (name: string, help: string, up: (v: VfsStats) => number, down: (v: VfsStats) => number) =>
    new Counter({
      name: `${PREFIX}${name}`,
      help,
      labelNames: ['direction'],
      registers,
      collect() {
        const v = vfs();
        if (!v) return;
        this.reset();
        this.inc({ direction: 'up' }, nonNegative(up(v)));
        this.inc({ direction: 'down' }, nonNegative(down(v)));
      },
    });
  byDirection('vfs_transfer_bytes_total', 'File bytes uploaded (up) and read (down) through the VFS.', (v) => v.uploadBytes, (v) => v.downloadBytes);
  byDirection('vfs_transfers_total', 'Uploads completed (up) and reads opened (down) through the VFS.', (v) => v.uploads, (v) => v.downloads);
  lazyGauge('vfs_active_reads', 'Read streams open (active downloads).', vfs, (v) => v.activeReads);
  lazyGauge('vfs_active_writes', 'Writes in progress (active uploads).', vfs, (v) => v.activeWrites);
  lazyGauge('upload_queue', 'Writes accepted and not yet durable: receiving, waiting for the pacer, uploading or confirming.', vfs, (v) => v.activeWrites);

  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const apiObserver: ApiObserver = {
    apiCall(endpoint, outcome, ms) {
      const e = endpointLabel(endpoint);
      apiCalls.inc({ endpoint: e, outcome: outcomeLabel(outcome) });
      apiDuration.observe({ endpoint: e }, nonNegative(ms) / 1000);
    },
    transfer(direction, bytes) {
      apiBytes.inc({ direction: direction === 'up' ? 'up' : 'down' }, nonNegative(bytes));
    },
  };

  return {
    apiObserver,
    registry,
    contentType: registry.contentType,
    attach(s) {
      sources = { ...s };
    },
    httpRequest(method, status, bytesOut, ms) {
      const m = methodLabel(method);
      httpRequests.inc({ method: m, status: statusClassLabel(status) });
      httpDuration.observe({ method: m }, nonNegative(ms) / 1000);
      httpBytes.inc(nonNegative(bytesOut));
    },
    text() {
      snapshot = { pacer: read(sources.pacerStats), vfs: read(sources.vfsStats) };
      try {
        return registry.metrics();
      } finally {
        snapshot = undefined;
      }
    },
  };
}

/** `x` when it is a finite number >= 0, else 0 (prom-client throws on negative increments). */
function nonNegative(x: number): number {
  return Number.isFinite(x) && x > 0 ? x : 0;
}

/** The source's value, or undefined when there is no source or it throws (e.g. during shutdown). */
function read<T>(source: (() => T) | undefined): T | undefined {
  if (!source) return undefined;
  try {
    return source();
  } catch {
    return undefined;
  }
}
