/**
 * SIGINT/SIGTERM handling of the long-running commands (serve, mount). Handlers are installed before a command
 * announces readiness, so a signal sent right after the announcement is never missed. A second signal during
 * shutdown exits at once (status 130).
 */

/**
 * Calls `onSignal` on the first SIGINT or SIGTERM; a second one exits the process with 130. Returns a function
 * that removes the handlers (call it once the command stops for another reason, or after its shutdown).
 */
export function onStopSignal(onSignal: () => void): () => void {
  let signalled = false;
  const handler = () => {
    if (signalled) process.exit(130);
    signalled = true;
    onSignal();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Install SIGINT/SIGTERM handlers now and resolve once a signal arrived and `stop` has run (its error is
 * reported on stderr).
 */
export function onShutdown(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const dispose = onStopSignal(() => {
      stop()
        .catch((err: unknown) => process.stderr.write(`shutdown: ${err instanceof Error ? err.message : String(err)}\n`))
        .finally(() => {
          dispose();
          resolve();
        });
    });
  });
}
