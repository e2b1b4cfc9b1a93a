/** Polls `fn` until it stops throwing, at most `ms` (every 250 ms); rethrows the last error. */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
