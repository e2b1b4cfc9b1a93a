import { describe, it, expect } from 'vitest';
import { Secret } from '../util/secret.ts';
import { FIELDS, REMOTE_VALUES } from './schema.ts';
import { defaultSettings, type ResolvedSettings } from './settings.ts';
import { configShowJson, configShowRows, formatConfigShow } from './show.ts';

const KEY = 'Qz7Wq9xVvK3mJ8rT2pL5';
const FILE_PW = 'Yh4Nb8Zc1Xd6';
const DAV_PASS = 'Uo2Ie9Wa7Rs3G';

function resolved(): ResolvedSettings {
  const settings = { ...defaultSettings({ HOME: '/h' }), pass: DAV_PASS, user: 'alice' };
  return {
    settings,
    apiKey: new Secret(KEY),
    filePassword: new Secret(FILE_PW),
    sharedFolder: 'abc123',
    sources: { addr: 'default', vfsReadChunkSize: 'default', dirCacheTime: 'flag:--dir-cache-time', pass: 'env:FICHIER_DAV_PASS', user: 'default', apiKey: 'env:FICHIER_API_KEY', filePassword: 'rclone.conf:/r.conf [fichier]', sharedFolder: 'rclone.conf:/r.conf [fichier]' },
    warnings: ['/r.conf holds the API key and other users can read it (mode 0644): run chmod 600 /r.conf'],
    mountConfig: '/w/mount.json',
  };
}

/** Every substring of length 4 of a secret: none may appear in the output. */
function fragments(secret: string): string[] {
  return Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4));
}

describe('config show', () => {
  it('has one row per field and per remote value', () => {
    const rows = configShowRows(resolved());
    expect(rows.map((r) => r.path).sort()).toEqual([...FIELDS.map((f) => f.path), ...REMOTE_VALUES.map((r) => r.path)].sort());
  });

  it('shows values as rclone does, with their sources', () => {
    const text = formatConfigShow(resolved());
    expect(text).toContain('mount.json: /w/mount.json');
    expect(text).toMatch(/dirCacheTime\s+5m\s+flag:--dir-cache-time/);
    expect(text).toMatch(/vfsReadChunkSize\s+128Mi\s+default/);
    expect(text).toMatch(/vfsReadChunkSizeLimit\s+off/);
    expect(text).toMatch(/sharedFolder\s+abc123\s+rclone\.conf:\/r\.conf \[fichier\]/);
    expect(text).toMatch(/htpasswd\s+<not set>/);
    expect(text).toMatch(/baseurl\s+""/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('masks every secret: set or not and its length, never any part of it', () => {
    const r = resolved();
    const text = formatConfigShow(r);
    const json = JSON.stringify(configShowJson(r));
    for (const secret of [KEY, FILE_PW, DAV_PASS]) {
      for (const frag of fragments(secret)) {
        expect(text).not.toContain(frag);
        expect(json).not.toContain(frag);
      }
    }
    expect(text).toMatch(new RegExp(`apiKey\\s+<set, ${KEY.length} chars>\\s+env:FICHIER_API_KEY`));
    expect(text).toMatch(/pass\s+<set, 13 chars>/);
    expect(text).toMatch(/folderPassword\s+<not set>/);
  });

  it('gives JSON with typed values, nulls for secrets, and the warnings', () => {
    const j = configShowJson(resolved());
    const row = (p: string) => j.fields.find((f) => f.path === p);
    expect(j.mountConfig).toBe('/w/mount.json');
    expect(row('dirCacheTime')).toMatchObject({ value: 300_000, text: '5m', source: 'flag:--dir-cache-time', secret: false });
    expect(row('apiKey')).toMatchObject({ value: null, text: `<set, ${KEY.length} chars>`, secret: true });
    expect(row('cert')).toMatchObject({ value: null, text: '<not set>', source: null });
    expect(j.warnings).toHaveLength(1);
  });

  it('says what serve webdav and mount serve: a shared folder (read-only), a folder as the root, or the account', () => {
    const shared = resolved();
    expect(configShowJson(shared).serving).toEqual({ kind: 'shared-folder', remote: 'fichier', id: 'abc123', readOnly: true });
    expect(formatConfigShow(shared)).toMatch(/^Serves \(serve webdav, mount\): the public shared folder abc123 \(shared_folder of fichier:\), read-only/m);
    const { sharedFolder: _none, ...account } = shared;
    expect(formatConfigShow(account)).toMatch(/^Serves \(serve webdav, mount\): the whole account fichier:$/m);
    const rooted = { ...account, settings: { ...account.settings, root: 'Media/Movies' } };
    expect(configShowJson(rooted).serving).toEqual({ kind: 'account', remote: 'fichier', root: 'Media/Movies' });
    expect(formatConfigShow(rooted)).toMatch(/Serves \(serve webdav, mount\): the folder fichier:Media\/Movies as the root/);
  });
});
