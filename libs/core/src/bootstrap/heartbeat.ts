import { closeSync, openSync, utimesSync } from 'node:fs';

/**
 * Touches `path` every few seconds while the event loop turns, for a container health check on a
 * process that serves no HTTP (the worker). A blocked loop lets the file go stale.
 */
export function startHeartbeat(path: string, everyMs = 10_000): () => void {
  const beat = () => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      closeSync(openSync(path, 'a'));
    }
  };
  beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
