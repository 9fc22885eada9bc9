import { Option, type Command } from 'commander';
import { positiveInt } from './arguments';
import { benchServe } from './serve-bench';

const counts = (value: string): number[] =>
  value.split(',').map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--edits: "${v}" is not a whole number`);
    return n;
  });

/** `ked bench serve`: completions under load with growing edit memories. */
export function registerServeBench(bench: Command): void {
  bench
    .command('serve')
    .description('a bounded load test of POST /v1/completions on 127.0.0.1 (autocannon) with 0, 1,000 and 10,000 routed edits in memory')
    .option('--edits <list>', 'edit-memory sizes to measure', counts, [0, 1000, 10000])
    .option('--duration <s>', 'seconds of load per size', positiveInt('--duration'), 10)
    .option('--connections <n>', 'concurrent connections', positiveInt('--connections'), 4)
    .option('--max-tokens <n>', 'tokens generated per request', positiveInt('--max-tokens'), 8)
    .addOption(new Option('--kind <kind>', 'the stored edits: rank-one deltas the scope detector routes by text, or GRACE entries selected by each request\'s hidden-state key').choices(['delta', 'keyed']).default('delta'))
    .option('--json', 'one JSON line per size {"edits","rps","p50Ms","p99Ms","errors"}, then {"routingOverheadPct"}')
    .action(async (flags: { edits: number[]; duration: number; connections: number; maxTokens: number; kind: 'delta' | 'keyed'; json?: boolean }) => {
      const points = await benchServe({ editCounts: flags.edits, durationSeconds: flags.duration, connections: flags.connections, maxTokens: flags.maxTokens, kind: flags.kind, onPhase: (m) => process.stderr.write(`ked bench serve: ${m}\n`) });
      for (const p of points) console.log(flags.json ? JSON.stringify(p) : `${String(p.edits).padStart(6)} edits: ${p.rps} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, ${p.errors} errors`);
      const first = points[0];
      const last = points[points.length - 1];
      if (points.length > 1 && first.rps > 0) {
        const overhead = Math.round(((first.rps - last.rps) / first.rps) * 1000) / 10;
        console.log(flags.json ? JSON.stringify({ routingOverheadPct: overhead, from: first.edits, to: last.edits }) : `routing overhead ${first.edits} → ${last.edits} edits: ${overhead}% of throughput`);
      }
    });
}
