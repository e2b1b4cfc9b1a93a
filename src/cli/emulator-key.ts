import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The emulator's API key: a generated one kept (mode 0600) in the data dir so restarts accept the same key;
 * a fresh random one per run in memory mode. It only ever unlocks the local emulator.
 */
export function emulatorKeyFor(dataDir: string | undefined): string {
  const fresh = randomBytes(24).toString('base64url');
  if (!dataDir) return fresh;
  const file = join(dataDir, 'api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, fresh + '\n', { mode: 0o600 });
  return fresh;
}
