/**
 * SIGINT/SIGTERM handling as Beats: the first signal starts an orderly stop,
 * a second one exits at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(handlers: { onFirst: (signal: string) => void; onSecond: (signal: string) => void }): () => void {
  let received = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (received) handlers.onSecond(signal);
    else {
      received = true;
      handlers.onFirst(signal);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}
