import { describe, expect, it } from 'vitest';
import type { ConfigError } from './errors.ts';
import { parseSharedStateUrl } from './shared-state-url.ts';

describe('the shared-state address', () => {
  it('reads redis:// and rediss:// with a port, a database and an ACL user', () => {
    expect(parseSharedStateUrl('redis://10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, db: 2, tls: false, shown: 'redis://10.0.0.5:6380/2' });
    expect(parseSharedStateUrl('rediss://gw@redis.lan')).toEqual({ host: 'redis.lan', port: 6379, db: 0, tls: true, username: 'gw', shown: 'rediss://gw@redis.lan/0' });
    expect(parseSharedStateUrl('redis://[::1]:7000')).toMatchObject({ host: '::1', port: 7000 });
  });

  it('refuses a password in the address without echoing it, and anything but redis URLs', () => {
    const refused = (url: string): ConfigError => {
      try {
        parseSharedStateUrl(url);
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error(`accepted ${url}`);
    };
    const pw = refused('redis://:hunter2@host:6379/0');
    expect(pw.code).toBe('bad-field');
    expect(pw.message).not.toContain('hunter2');
    for (const url of ['http://host:6379', 'redis://host/db', 'redis://host/0?x=1', 'not a url', 'redis://']) expect(refused(url).code).toBe('bad-field');
  });
});
