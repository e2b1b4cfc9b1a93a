import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../util/clock.ts';
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateCA } from './ca.ts';

const DAY_MS = 86_400_000;

describe('loadOrCreateCA', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fichier-ca-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('saves a new CA, then reloads the same one', async () => {
    const first = await loadOrCreateCA(dir);
    expect(await readFile(join(dir, CA_CERT_FILE), 'utf8')).toBe(first.caCertPem);
    expect((await stat(join(dir, CA_KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateCA(dir);
    expect(again.caCertPem).toBe(first.caCertPem);
    const root = new X509Certificate(first.caCertPem);
    expect(root.ca).toBe(true);
    expect(new X509Certificate(again.leafFor('api.1fichier.com').cert).verify(root.publicKey)).toBe(true);
  });

  it('issues a leaf for 1fichier.com and one label below it, signed by the CA', async () => {
    const ca = await loadOrCreateCA();
    const root = new X509Certificate(ca.caCertPem);
    const leaf = new X509Certificate(ca.leafFor('api.1fichier.com').cert);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    for (const host of ['api.1fichier.com', '1fichier.com', 'up-2.1fichier.com', 'a-3.1fichier.com']) {
      expect(leaf.checkHost(host)).toBeDefined();
    }
    expect(leaf.checkHost('x.y.1fichier.com')).toBeUndefined();
    expect(leaf.checkHost('example.com')).toBeUndefined();
    const lifetime = Date.parse(leaf.validTo) - Date.parse(leaf.validFrom);
    expect(lifetime).toBeLessThan(398 * DAY_MS);
    expect(Date.parse(leaf.validFrom)).toBeLessThan(Date.now());
  });

  it('hands out one cached leaf and refuses hosts outside 1fichier.com', async () => {
    const ca = await loadOrCreateCA();
    expect(ca.leafFor('UP-1.1fichier.com.')).toBe(ca.leafFor('api.1fichier.com'));
    expect(ca.covers('a-3.1fichier.com')).toBe(true);
    for (const host of ['example.com', 'x.y.1fichier.com', '1fichier.com.evil.net', 'evil1fichier.com', '.1fichier.com']) {
      expect(ca.covers(host)).toBe(false);
      expect(() => ca.leafFor(host)).toThrow(expect.objectContaining({ code: 'ECA_HOST' }));
    }
  });

  it('generates a fresh CA in memory when no dir is given', async () => {
    const a = await loadOrCreateCA();
    const b = await loadOrCreateCA();
    expect(a.caCertPem).not.toBe(b.caCertPem);
  });

  it('replaces a stored CA that is corrupt or about to expire', async () => {
    const clock = new FakeClock();
    const first = await loadOrCreateCA(dir, clock);
    await clock.advance(3000 * DAY_MS);
    expect((await loadOrCreateCA(dir, clock)).caCertPem).toBe(first.caCertPem);
    await clock.advance(640 * DAY_MS);
    const renewed = await loadOrCreateCA(dir, clock);
    expect(renewed.caCertPem).not.toBe(first.caCertPem);
    expect(await readFile(join(dir, CA_CERT_FILE), 'utf8')).toBe(renewed.caCertPem);

    await writeFile(join(dir, CA_KEY_FILE), 'not a key');
    const replaced = await loadOrCreateCA(dir, clock);
    expect(replaced.caCertPem).not.toBe(renewed.caCertPem);
    expect((await loadOrCreateCA(dir, clock)).caCertPem).toBe(replaced.caCertPem);
  });
});
