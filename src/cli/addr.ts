import { splitHostPort } from '../util/net.ts';

/** Parse rclone-style `--addr` values (see splitHostPort). Throws naming the value on anything else. */
export function parseAddr(addr: string): { host: string; port: number } {
  const hp = splitHostPort(addr);
  if (!hp) throw new Error(`invalid --addr "${addr}": expected HOST:PORT, e.g. 127.0.0.1:8080`);
  return hp;
}

/** Parse a non-negative integer flag value, naming the flag in the error. */
export function parseNonNegativeInt(flag: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`invalid ${flag} "${value}": expected a non-negative integer`);
    return Number(value);
  };
}
