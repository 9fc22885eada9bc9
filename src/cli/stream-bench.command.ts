import { InvalidArgumentError, type Command } from 'commander';
import { positiveInt } from './arguments';
import { benchStream, DEFAULT_SERVER_URL } from './stream-bench';

const workerCounts = (value: string): number[] => {
  const counts = value.split(',').map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n <= 0 || n > 8) throw new InvalidArgumentError(`--workers: "${v}" is not a worker count from 1 to 8`);
    return n;
  });
  return counts;
};

/** `ked bench stream`: facts per minute and freshness with 1, 2 … worker processes on one PostgreSQL server. */
export function registerStreamBench(bench: Command): void {
  bench
    .command('stream')
    .description(
      `facts per minute and freshness (POST to verified) with 1, 2 … \`ked serve\` worker processes (KED_EDIT_METHODS=rome unless set) sharing one PostgreSQL server: a scratch database per worker count on DATABASE_URL's server (default ${DEFAULT_SERVER_URL}), dropped at the end`,
    )
    .option('--facts <n>', 'counterfact facts posted at once per worker count', positiveInt('--facts'), 100)
    .option('--workers <list>', 'worker counts to measure', workerCounts, [1, 2])
    .option('--json', 'one JSON line per worker count {"workers","facts","factsPerMinute","freshnessP50S","freshnessP99S","failed","superseded","unsettled","elapsedS"}')
    .action(async (flags: { facts: number; workers: number[]; json?: boolean }) => {
      const serverUrl = process.env.DATABASE_URL || DEFAULT_SERVER_URL;
      const points = await benchStream({ facts: flags.facts, workers: flags.workers, serverUrl, onPhase: (m) => process.stderr.write(`ked bench stream: ${m}\n`) });
      for (const p of points) {
        console.log(
          flags.json
            ? JSON.stringify(p)
            : `${p.workers} worker${p.workers > 1 ? 's' : ''}: ${p.factsPerMinute} facts/min (${p.facts} in ${p.elapsedS} s), freshness p50 ${p.freshnessP50S} s, p99 ${p.freshnessP99S} s, ${p.failed} failed, ${p.superseded} superseded${p.unsettled ? `, ${p.unsettled} unsettled` : ''}`,
        );
      }
    });
}
