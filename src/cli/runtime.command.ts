import { Option, type Command } from 'commander';
import { benchRuntime } from '../runtime/bench/runtime-bench';
import { gradCheckCases } from '../runtime/gradcheck/cases';
import { checkGradients } from '../runtime/gradcheck/gradcheck';
import { SessionManager } from '../runtime/session/session-manager';
import { progressBar } from './progress';

const threadsOption = () => new Option('--threads <n>', 'onnxruntime intra-op threads (default: one per core)').argParser(positiveInt('--threads'));

/** `ked gradcheck` and `ked bench runtime`: the numeric engine's own checks and measurements. */
export function registerRuntimeCommands(program: Command, bench: Command): void {
  program
    .command('gradcheck')
    .description('check every gradient rule, and a 2-layer transformer, against finite differences')
    .option('--json', 'print one JSON line: {"ops","maxRelErr","passed"}')
    .option('-v, --verbose', 'list every case')
    .action(async (options: { json?: boolean; verbose?: boolean }) => {
      const manager = new SessionManager({ threads: 1 });
      const cases = gradCheckCases();
      const bar = progressBar('gradcheck', cases.length);
      const results = [];
      try {
        for (const check of cases) {
          results.push(await checkGradients(manager, check));
          bar.tick(check.name);
        }
      } finally {
        bar.stop();
        await manager.close();
      }
      const ops = new Set(results.flatMap((r) => r.ops));
      const summary = {
        ops: ops.size,
        cases: results.length,
        maxRelErr: Math.max(...results.map((r) => r.maxRelErr)),
        passed: results.every((r) => r.passed),
        failed: results.filter((r) => !r.passed).map((r) => r.name),
      };
      if (options.json) console.log(JSON.stringify(summary));
      else {
        for (const r of results) {
          if (options.verbose || !r.passed) console.log(`${r.passed ? 'ok  ' : 'FAIL'} ${r.name}: max rel err ${r.maxRelErr.toExponential(2)} (tolerance ${r.tolerance})`);
        }
        console.log(`${summary.passed ? 'passed' : 'FAILED'}: ${summary.cases} cases over ${summary.ops} ops, max relative error ${summary.maxRelErr.toExponential(2)}`);
      }
      if (!summary.passed) process.exitCode = 1;
    });

  bench
    .command('runtime')
    .description('MatMul and GPT-2-small block forward/backward throughput (GFLOP/s)')
    .option('--json', 'print one JSON line')
    .option('--batch <n>', 'sequences per batch', positiveInt('--batch'), 4)
    .option('--seq <n>', 'tokens per sequence', positiveInt('--seq'), 128)
    .option('--repeats <n>', 'timed runs per measurement (median reported)', positiveInt('--repeats'), 5)
    .addOption(threadsOption())
    .action(async (options: { json?: boolean; batch: number; seq: number; repeats: number; threads?: number }) => {
      const bar = progressBar('bench runtime', 3);
      const result = await benchRuntime({ ...options, onProgress: (stage) => bar.tick(stage) }).finally(() => bar.stop());
      if (options.json) console.log(JSON.stringify(result));
      else console.log(JSON.stringify(result, null, 2));
    });
}

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer (got "${value}")`);
    return n;
  };
}
