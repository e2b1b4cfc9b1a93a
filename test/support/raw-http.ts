/**
 * Raw HTTP/1.1 for tests that must send a request exactly as written: no client normalises `..` or `%2e%2e` away,
 * fixes an odd request target or drops a header. The request should say `Connection: close`: the answer is what
 * arrived when the server closed the connection.
 */
import { connect } from 'node:net';

/** Sends `head` (the request line, headers and the blank line) to 127.0.0.1:`port`; resolves with the whole answer (latin1). */
export function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let data = '';
    sock.setTimeout(5000, () => sock.destroy(new Error('timeout')));
    sock.on('data', (d: Buffer) => (data += d.toString('latin1')));
    sock.on('error', reject);
    sock.on('close', () => resolve(data));
    sock.write(head);
  });
}

/** The status code of an answer rawExchange received; throws when it holds none. */
export function statusOf(answer: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  if (!m) throw new Error(`no status in ${JSON.stringify(answer.slice(0, 80))}`);
  return Number(m[1]);
}

/** rawExchange, then the answer's status code. */
export async function rawStatus(port: number, head: string): Promise<number> {
  return statusOf(await rawExchange(port, head));
}
