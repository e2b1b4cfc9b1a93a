/** Network address helpers shared by the servers (WebDAV, rc). */

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** True for a loopback address literal (IPv4 127/8, ::1, IPv4-mapped 127/8, brackets allowed) or `localhost`. */
export function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  const a = addr.replace(/^\[|\]$/g, '');
  return LOOPBACK.test(a) || a.toLowerCase() === 'localhost';
}

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/;

/**
 * Splits rclone-style `--addr` values: "host:port", ":port" (host 127.0.0.1) or "[v6]:port". Returns undefined
 * for anything else, including a port above 65535.
 */
export function splitHostPort(addr: string): { host: string; port: number } | undefined {
  const m = HOST_PORT.exec(addr.trim());
  if (!m || Number(m[3]) > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}
