/** Parse rclone-style `--addr` values: "host:port", ":port" (127.0.0.1) or "[v6]:port". Throws on anything else. */
export function parseAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`invalid --addr "${addr}": expected HOST:PORT, e.g. 127.0.0.1:8080`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Parse a non-negative integer flag value, naming the flag in the error. */
export function parseNonNegativeInt(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`invalid ${flag} "${value}": expected a non-negative integer`);
    return Number(value);
  };
}
