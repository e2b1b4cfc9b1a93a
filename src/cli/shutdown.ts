/**
 * Install SIGINT/SIGTERM handlers now and resolve once a signal arrived and `stop` has run. Call it before
 * announcing readiness, so a signal sent right after the announcement is never missed. A second signal
 * during shutdown exits at once.
 */
export function onShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = () => {
      if (stopping) process.exit(130);
      stopping = true;
      stop()
        .catch((err: unknown) => process.stderr.write(`shutdown: ${err instanceof Error ? err.message : String(err)}\n`))
        .finally(() => {
          process.off('SIGINT', handler);
          process.off('SIGTERM', handler);
          resolve();
        });
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
