/**
 * The shared-state address: `redis://HOST:PORT[/DB]` or `rediss://...` (TLS). A password is never part of it (the
 * address appears in argv, `config show` and logs): it comes from the environment or a file, and an address that
 * carries one is refused with a reason. A user name (Redis ACL) may be given in the address.
 */
import { Secret } from '../util/secret.ts';
import { ConfigError } from './errors.ts';

export interface SharedStateAddress {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  /** The address as shown: what was given, without credentials. */
  shown: string;
}

/** Parses `url`. Throws ConfigError (code 'bad-field') for anything else than the forms above, or a password in it. */
export function parseSharedStateUrl(url: string, setting = 'sharedState'): SharedStateAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(setting, 'must be redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB]');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw bad(setting, 'must start with redis:// or rediss://');
  if (u.password !== '') {
    // Registered for redaction: the refusal below may be printed with the address it came in.
    new Secret(decodeURIComponent(u.password));
    throw bad(setting, 'must not carry a password: give it in FICHIER_DAV_SHARED_STATE_PASSWORD or a file (sharedStatePasswordFile), never in the address');
  }
  if (u.hostname === '') throw bad(setting, 'must name a host');
  if (u.search !== '' || u.hash !== '') throw bad(setting, 'must be redis://HOST:PORT[/DB] (no query or fragment)');
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw bad(setting, 'must end with a database number (0-15 on a default Redis)');
  const db = path === '' ? 0 : Number(path);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  return {
    host,
    port,
    db,
    tls: u.protocol === 'rediss:',
    ...(username !== undefined ? { username } : {}),
    shown: `${u.protocol}//${username !== undefined ? `${encodeURIComponent(username)}@` : ''}${u.host}/${db}`,
  };
}

function bad(setting: string, why: string): ConfigError {
  return new ConfigError('bad-field', `${setting} ${why}`, { field: setting });
}
