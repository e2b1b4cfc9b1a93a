/**
 * What `serve webdav` prints once it listens: the URL on the first line (scripts wait for
 * `serving webdav on URL`), then how to connect from Finder, Explorer and Linux, and a loud note when the
 * account is the local emulator rather than a real 1fichier account.
 */
export interface BannerInput {
  url: string;
  /** The emulator's data dir when serving the embedded emulator. */
  emulatorData?: string;
  readOnly: boolean;
  /** True when users are configured (Basic auth). */
  auth: boolean;
  /** The control port's URL when --rc is on. */
  rcUrl?: string;
  /** Set with --shared-state: the Redis address (no credentials) and whether it answers now. */
  sharedState?: { address: string; up: boolean; fallbackPercent: number };
  /** What is served when it is not a whole account (a folder as the root, a shared folder), as a phrase. */
  serving?: string;
}

/** Windows' UNC form of a WebDAV URL (`\\host@port\DavWWWRoot\prefix`, `@SSL` for https). */
export function windowsUnc(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const ssl = u.protocol === 'https:' ? '@SSL' : '';
  const prefix = decodeURIComponent(u.pathname).split('/').filter(Boolean).join('\\');
  return `\\\\${u.hostname.replace(/^\[|\]$/g, '')}${ssl}@${port}\\DavWWWRoot${prefix ? '\\' + prefix : ''}`;
}

/** The banner's lines, without trailing newline. */
export function connectBanner(b: BannerInput): string {
  const lines = [`serving webdav on ${b.url}`];
  if (b.serving !== undefined) lines.push('', `  Serving ${b.serving}.`);
  if (b.emulatorData !== undefined) {
    lines.push(
      '',
      '  This is a LOCAL EMULATOR of 1fichier with demo files, not a real 1fichier account.',
      `  Its data lives in ${b.emulatorData}. To serve your account, set FICHIER_API_KEY (see README).`,
    );
  }
  lines.push(
    '',
    '  Connect:',
    `    macOS Finder     Go > Connect to Server (Cmd-K) > ${b.url}`,
    `    Windows Explorer Map network drive > ${windowsUnc(b.url)}`,
    `    Linux (davfs2)   sudo mount -t davfs ${b.url} /mnt/fichier`,
    `    rclone mount     rclone mount :webdav: ~/fichier --webdav-url ${b.url} --webdav-vendor owncloud --vfs-cache-mode writes`,
  );
  if (b.auth) lines.push('    (Basic authentication: use the configured user name and password)');
  if (b.readOnly) lines.push('', '  Read-only: every write is refused.');
  if (b.rcUrl !== undefined) lines.push('', `  Control port (rc, metrics): ${b.rcUrl}`);
  if (b.sharedState !== undefined) {
    const s = b.sharedState;
    lines.push(
      '',
      s.up
        ? `  Shared state: ${s.address}, connected: pacing with the other gateways of this account.`
        : `  Shared state: ${s.address}, NOT reachable: pacing alone at ${s.fallbackPercent}% of the budget until it answers.`,
    );
  }
  lines.push('', '  Press Ctrl-C to stop.');
  return lines.join('\n');
}
