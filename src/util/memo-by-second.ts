/**
 * `memoBySecond(format)`: a date formatter whose output depends only on the whole second, memoized by that
 * second. A listing formats the same few modification times thousands of times per request; the memo holds
 * at most `max` seconds and starts over when full (no LRU bookkeeping on the hot path).
 */
export function memoBySecond(format: (ms: number) => string, max = 16_384): (ms: number) => string {
  let memo = new Map<number, string>();
  return (ms: number): string => {
    const second = Math.floor(ms / 1000);
    let out = memo.get(second);
    if (out === undefined) {
      out = format(second * 1000);
      if (memo.size >= max) memo = new Map();
      memo.set(second, out);
    }
    return out;
  };
}
