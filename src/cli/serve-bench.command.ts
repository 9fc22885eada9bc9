import { Option, type Command } from 'commander';
import { positiveInt } from './arguments';
import { benchServe, benchServeIngest, type IngestBenchResult } from './serve-bench';

const counts = (value: string): number[] =>
  value.split(',').map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--edits: "${v}" is not a whole number`);
    return n;
  });

/** `ked bench serve`: completions under load with growing edit memories, or idle and while facts are applied (--ingest). */
export function registerServeBench(bench: Command): void {
  bench
    .command('serve')
    .description('a bounded load test of POST /v1/completions on 127.0.0.1 (autocannon) with 0, 1,000 and 10,000 routed edits in memory, or (--ingest) idle and while facts are applied')
    .option('--edits <list>', 'edit-memory sizes to measure', counts, [0, 1000, 10000])
    .option('--duration <s>', 'seconds of load per size (default: 10); with --ingest, of idle load and the longest ingest load (default: idle 10, ingest until every fact settled, at most 120)', positiveInt('--duration'))
    .option('--connections <n>', 'concurrent connections (default: 4; 8 with --ingest)', positiveInt('--connections'))
    .option('--max-tokens <n>', 'tokens generated per request', positiveInt('--max-tokens'), 8)
    .addOption(new Option('--kind <kind>', 'the stored edits: rank-one deltas the scope detector routes by text, or GRACE entries selected by each request\'s hidden-state key').choices(['delta', 'keyed']).default('delta'))
    .option('--ingest <n>', 'instead of edit-memory sizes: the worker on (KED_EDIT_METHODS=rome unless set), load idle, then while the first N counterfact facts (one POST) are applied', positiveInt('--ingest'))
    .option('--json', 'one JSON line per size {"edits","rps","p50Ms","p99Ms","errors"}, then {"routingOverheadPct"}; with --ingest one line {"idleP99Ms","ingestP99Ms","idleRps","ingestRps","idleP50Ms","ingestP50Ms","factsApplied","p99Ratio","healthP99Ms","errors",…}')
    .action(async (flags: { edits: number[]; duration?: number; connections?: number; maxTokens: number; kind: 'delta' | 'keyed'; ingest?: number; json?: boolean }) => {
      const onPhase = (m: string) => process.stderr.write(`ked bench serve: ${m}\n`);
      if (flags.ingest !== undefined) {
        const result = await benchServeIngest({ facts: flags.ingest, durationSeconds: flags.duration, connections: flags.connections ?? 8, maxTokens: flags.maxTokens, onPhase });
        console.log(flags.json ? JSON.stringify(result) : describeIngest(result));
        return;
      }
      const points = await benchServe({ editCounts: flags.edits, durationSeconds: flags.duration ?? 10, connections: flags.connections ?? 4, maxTokens: flags.maxTokens, kind: flags.kind, onPhase });
      for (const p of points) console.log(flags.json ? JSON.stringify(p) : `${String(p.edits).padStart(6)} edits: ${p.rps} req/s, p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms, ${p.errors} errors`);
      const first = points[0];
      const last = points[points.length - 1];
      if (points.length > 1 && first.rps > 0) {
        const overhead = Math.round(((first.rps - last.rps) / first.rps) * 1000) / 10;
        console.log(flags.json ? JSON.stringify({ routingOverheadPct: overhead, from: first.edits, to: last.edits }) : `routing overhead ${first.edits} → ${last.edits} edits: ${overhead}% of throughput`);
      }
    });
}

function describeIngest(r: IngestBenchResult): string {
  return [
    `idle:   ${r.idleRps} req/s, p50 ${r.idleP50Ms} ms, p99 ${r.idleP99Ms} ms, /health p99 ${r.idleHealthP99Ms} ms`,
    `ingest: ${r.ingestRps} req/s, p50 ${r.ingestP50Ms} ms, p99 ${r.ingestP99Ms} ms, /health p99 ${r.healthP99Ms} ms (${r.factsApplied} of ${r.facts} facts settled in ${r.ingestSeconds} s, ${r.factsFailed} failed)`,
    `p99 during ingest: ${r.p99Ratio}x idle; ${r.errors} errors (${r.connections} connections, ${r.maxTokens} tokens per request)`,
  ].join('\n');
}
