import { SingleBar } from 'cli-progress';

/**
 * A progress bar on stderr (stdout stays clean for --json). Silent when stderr is not a terminal,
 * so CI logs and pipes get no control characters.
 */
export function progressBar(label: string, total: number): { tick: (detail?: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { tick: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} {detail}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0, { detail: '' });
  return { tick: (detail = '') => bar.increment(1, { detail }), stop: () => bar.stop() };
}
