import { Option, type Command } from 'commander';
import { benchRuntime } from '../runtime/bench/runtime-bench';
import { benchLinalg } from '../runtime/linalg/bench-linalg';
import { gradCheckCases } from '../runtime/gradcheck/cases';
import { checkGradients } from '../runtime/gradcheck/gradcheck';
import { SessionManager } from '../runtime/session/session-manager';
import { positiveInt } from './arguments';
import { progressBar } from './progress';

const threadsOption = () => new Option('--threads <n>', 'onnxruntime intra-op threads (default: one per core)').argParser(positiveInt('--threads'));
const providerOption = () =>
  new Option('--provider <name>', 'onnxruntime execution provider').choices(['cpu', 'cuda']).default('cpu');

/** `ked gradcheck` and `ked bench runtime`: the numeric engine's own checks and measurements. */
export function registerRuntimeCommands(program: Command, bench: Command): void {
  program
    .command('gradcheck')
    .description('check every gradient rule, and a 2-layer transformer, against finite differences')
    .option('--json', 'print one JSON line: {"ops","maxRelErr","passed"}')
    .option('-v, --verbose', 'list every case')
    .addOption(providerOption())
    .action(async (options: { json?: boolean; verbose?: boolean; provider: 'cpu' | 'cuda' }) => {
      const manager = new SessionManager({ threads: 1, provider: options.provider });
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
    .addOption(providerOption())
    .action(async (options: { json?: boolean; batch: number; seq: number; repeats: number; threads?: number; provider: 'cpu' | 'cuda' }) => {
      const bar = progressBar('bench runtime', 3);
      const result = await benchRuntime({ ...options, onProgress: (stage) => bar.tick(stage) }).finally(() => bar.stop());
      if (options.json) console.log(JSON.stringify(result));
      else console.log(JSON.stringify(result, null, 2));
    });

  bench
    .command('linalg')
    .description('milliseconds per Cholesky, solves, symmetric eigen, SVD and null-space projector')
    .option('--json', 'print one JSON line: {"<op>_<d>_ms": ...}')
    .option('--sizes <list>', 'matrix sizes d (comma separated)', (v: string) => v.split(',').map((x) => positiveInt('--sizes')(x.trim())), [256, 768, 1024])
    .option('--compare-ml-matrix <d>', 'also time ml-matrix up to this size', positiveInt('--compare-ml-matrix'))
    .action(async (options: { json?: boolean; sizes: number[]; compareMlMatrix?: number }) => {
      const result = await benchLinalg(options.sizes, { mlMatrixUpTo: options.compareMlMatrix });
      console.log(options.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
    });
}
