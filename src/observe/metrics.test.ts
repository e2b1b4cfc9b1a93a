import { describe, it, expect } from 'vitest';
import type { ApiOutcome } from '../api/observer.ts';
import type { PacerStats } from '../api/pacer.ts';
import { FakeClock } from '../util/clock.ts';
import type { VfsStats } from '../vfs/types.ts';
import { createMetrics } from './metrics.ts';

const pacerStats = (over: Partial<PacerStats> = {}): PacerStats => ({
  calls: 10,
  attempts: 12,
  retries: 2,
  bans: 1,
  banLevel: 1,
  cooldownUntil: undefined,
  probing: false,
  active: 3,
  queued: 5,
  listing: { granted: 4, foreground: 1, background: 2 },
  ...over,
});

const vfsStats = (over: Partial<VfsStats> = {}): VfsStats => ({
  uploads: 2,
  uploadBytes: 2048,
  downloads: 4,
  downloadBytes: 4096,
  activeReads: 1,
  activeWrites: 2,
  cacheHits: 7,
  cacheMisses: 3,
  listings: 3,
  relistsAvoided: 0,
  revalidations: 0,
  ...over,
});

/** The value of the sample line `name{labels}` (exact text before the value), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('createMetrics', () => {
  it('counts API attempts by endpoint and outcome, with durations and transfer bytes', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.apiObserver.apiCall('folder/ls.cgi', 'ok', 120);
    m.apiObserver.apiCall('folder/ls.cgi', 'ok', 80);
    m.apiObserver.apiCall('folder/ls.cgi', 'flood', 10);
    m.apiObserver.transfer?.('up', 100);
    m.apiObserver.transfer?.('down', 50);
    m.apiObserver.transfer?.('down', 25);
    const t = await m.text();
    expect(sample(t, 'fichierdav_api_calls_total{endpoint="folder/ls.cgi",outcome="ok"}')).toBe(2);
    expect(sample(t, 'fichierdav_api_calls_total{endpoint="folder/ls.cgi",outcome="flood"}')).toBe(1);
    expect(sample(t, 'fichierdav_api_call_duration_seconds_count{endpoint="folder/ls.cgi"}')).toBe(3);
    expect(sample(t, 'fichierdav_api_call_duration_seconds_sum{endpoint="folder/ls.cgi"}')).toBeCloseTo(0.21);
    expect(sample(t, 'fichierdav_api_transfer_bytes_total{direction="up"}')).toBe(100);
    expect(sample(t, 'fichierdav_api_transfer_bytes_total{direction="down"}')).toBe(75);
  });

  it('never puts a value from outside the fixed sets in a label', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.apiObserver.apiCall('/home/me/secret.txt', 'weird outcome' as ApiOutcome, 1);
    m.httpRequest('X-EVIL /private', 999, 10, 1);
    const t = await m.text();
    expect(t).not.toContain('secret');
    expect(t).not.toContain('EVIL');
    expect(t).not.toContain('weird');
    expect(sample(t, 'fichierdav_api_calls_total{endpoint="other",outcome="error"}')).toBe(1);
    expect(sample(t, 'fichierdav_webdav_requests_total{method="OTHER",status="other"}')).toBe(1);
  });

  it('counts WebDAV requests by method and status class, with bytes sent', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.httpRequest('propfind', 207, 1000, 5);
    m.httpRequest('PROPFIND', 207, 500, 5);
    m.httpRequest('GET', 404, 0, 1);
    m.httpRequest('GET', 200, Number.NaN, -3);
    const t = await m.text();
    expect(sample(t, 'fichierdav_webdav_requests_total{method="PROPFIND",status="2xx"}')).toBe(2);
    expect(sample(t, 'fichierdav_webdav_requests_total{method="GET",status="4xx"}')).toBe(1);
    expect(sample(t, 'fichierdav_webdav_requests_total{method="GET",status="2xx"}')).toBe(1);
    expect(sample(t, 'fichierdav_webdav_response_bytes_total')).toBe(1500);
    expect(sample(t, 'fichierdav_webdav_request_duration_seconds_count{method="GET"}')).toBe(2);
  });

  it('reads pacer and VFS stats lazily from the attached sources', async () => {
    const clock = new FakeClock(1_000_000);
    const m = createMetrics({ clock, defaultMetrics: false });
    let pacer = pacerStats({ cooldownUntil: 1_030_000 });
    let reads = 0;
    m.attach({
      pacerStats: () => pacer,
      vfsStats: () => {
        reads++;
        return vfsStats();
      },
    });
    expect(reads).toBe(0);
    let t = await m.text();
    expect(reads).toBe(1);
    expect(sample(t, 'fichierdav_flood_bans_total')).toBe(1);
    expect(sample(t, 'fichierdav_api_retries_total')).toBe(2);
    expect(sample(t, 'fichierdav_flood_cooldown_active')).toBe(1);
    expect(sample(t, 'fichierdav_flood_cooldown_remaining_seconds')).toBe(30);
    expect(sample(t, 'fichierdav_pacer_active')).toBe(3);
    expect(sample(t, 'fichierdav_pacer_queued')).toBe(5);
    expect(sample(t, 'fichierdav_vfs_cache_hits_total')).toBe(7);
    expect(sample(t, 'fichierdav_vfs_cache_misses_total')).toBe(3);
    expect(sample(t, 'fichierdav_vfs_listings_total')).toBe(3);
    expect(sample(t, 'fichierdav_vfs_transfer_bytes_total{direction="up"}')).toBe(2048);
    expect(sample(t, 'fichierdav_vfs_transfer_bytes_total{direction="down"}')).toBe(4096);
    expect(sample(t, 'fichierdav_vfs_transfers_total{direction="down"}')).toBe(4);
    expect(sample(t, 'fichierdav_vfs_active_reads')).toBe(1);
    expect(sample(t, 'fichierdav_vfs_active_writes')).toBe(2);
    expect(sample(t, 'fichierdav_upload_queue')).toBe(2);

    clock.advance(30_000);
    pacer = pacerStats({ bans: 2, cooldownUntil: undefined });
    t = await m.text();
    expect(sample(t, 'fichierdav_flood_bans_total')).toBe(2);
    expect(sample(t, 'fichierdav_flood_cooldown_active')).toBe(0);
    expect(sample(t, 'fichierdav_flood_cooldown_remaining_seconds')).toBe(0);
  });

  it('renders the page when a source throws or none is attached', async () => {
    const m = createMetrics({ defaultMetrics: false });
    expect(sample(await m.text(), 'fichierdav_vfs_cache_hits_total')).toBe(0);
    m.attach({
      vfsStats: () => {
        throw new Error('closed');
      },
    });
    await expect(m.text()).resolves.toContain('fichierdav_vfs_listings_total');
  });

  it('includes the default process metrics on a private registry, with the Prometheus content type', async () => {
    const a = createMetrics();
    const b = createMetrics();
    expect(a.registry).not.toBe(b.registry);
    expect(await a.text()).toMatch(/^process_cpu_user_seconds_total /m);
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});

describe('shared-state metrics', () => {
  it('say whether the shared state answers, whether the gateway paces alone, and how many gateways share it', async () => {
    const m = createMetrics({ defaultMetrics: false });
    let stats = { up: true, mode: 'shared' as 'shared' | 'settling' | 'local', losses: 0, localSteps: 0, sent: 3, received: 5, members: { count: 3 } };
    m.attach({ sharedStateStats: () => stats });
    let text = await m.text();
    expect(sample(text, 'fichierdav_shared_state_enabled')).toBe(1);
    expect(sample(text, 'fichierdav_shared_state_up')).toBe(1);
    expect(sample(text, 'fichierdav_shared_state_fallback')).toBe(0);
    expect(sample(text, 'fichierdav_shared_state_gateways')).toBe(3);
    expect(sample(text, 'fichierdav_shared_state_changes_received_total')).toBe(5);
    stats = { ...stats, up: false, mode: 'local', losses: 1, localSteps: 40 };
    text = await m.text();
    expect(sample(text, 'fichierdav_shared_state_up')).toBe(0);
    expect(sample(text, 'fichierdav_shared_state_fallback')).toBe(1);
    expect(sample(text, 'fichierdav_shared_state_losses_total')).toBe(1);
    expect(sample(text, 'fichierdav_shared_state_local_steps_total')).toBe(40);
  });

  it('say when there is no shared state', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.attach({});
    const text = await m.text();
    expect(sample(text, 'fichierdav_shared_state_enabled')).toBe(0);
    expect(sample(text, 'fichierdav_shared_state_up')).toBe(0);
  });
});
