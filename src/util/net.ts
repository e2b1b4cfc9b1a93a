/** Network address helpers shared by the servers (WebDAV, rc). */

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;

/** True for a loopback address literal (IPv4 127/8, ::1, IPv4-mapped 127/8, brackets allowed) or `localhost`. */
export function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  const a = addr.replace(/^\[|\]$/g, '');
  return LOOPBACK.test(a) || a.toLowerCase() === 'localhost';
}
