import { grad } from '../autodiff/grad';
import { hostTensor, type HostTensor } from '../graph/dtype';
import { Graph, type Value } from '../graph/graph';
import { BLOCK_PARAM_NAMES, gpt2Block, initBlockParams, type BlockParams, type BlockSize } from '../nn/gpt2-block';
import * as op from '../ops';
import { mulberry32 } from '../random';
import { defaultThreads } from '../session/default-threads';
import { SessionManager, type ExecutionProvider } from '../session/session-manager';
import { matmulThroughput, medianRunMs } from './matmul-throughput';

export interface RuntimeBenchOptions {
  batch?: number;
  seq?: number;
  block?: BlockSize;
  threads?: number;
  provider?: ExecutionProvider;
  /** Timed repetitions after one warm-up run. */
  repeats?: number;
  onProgress?: (stage: string) => void;
}

export interface RuntimeBenchResult {
  matmulGflops: number;
  blockForwardGflops: number;
  blockBackwardGflops: number;
  /** Forward and backward together (the training step's graph), for context. */
  blockForwardBackwardGflops: number;
  matmulMs: number;
  blockForwardMs: number;
  blockForwardBackwardMs: number;
  shape: { batch: number; seq: number; dModel: number; heads: number; dFF: number };
  threads: number;
  provider: ExecutionProvider;
}

/** GPT-2 small's block at a training-sized batch: d=768, 12 heads, ff=3072, seq 128, batch 4. */
export const GPT2_SMALL_BLOCK: BlockSize = { dModel: 768, heads: 12, dFF: 3072 };

/**
 * Measures MatMul throughput and one transformer block's forward and backward throughput in the
 * same run. FLOPs count the matrix products only (24·T·d² + 4·B·S²·d forward for T = B·S tokens
 * and ff = 4d; twice that backward); backward time is the gradient graph's time minus forward.
 */
export async function benchRuntime(options: RuntimeBenchOptions = {}): Promise<RuntimeBenchResult> {
  const batch = options.batch ?? 4;
  const seq = options.seq ?? 128;
  const block = options.block ?? GPT2_SMALL_BLOCK;
  const repeats = options.repeats ?? 5;
  const progress = options.onProgress ?? (() => undefined);
  const manager = new SessionManager({ threads: options.threads, provider: options.provider });
  const random = mulberry32(42);
  const randomTensor = (shape: number[]): HostTensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = hostTensor('float32', shape);
    for (let i = 0; i < n; i++) (t.data as Float32Array)[i] = 2 * random() - 1;
    return t;
  };
  const tokens = batch * seq;
  const d = block.dModel;

  try {
    progress('matmul');
    const matmul = await matmulThroughput(manager, { m: tokens, k: d, n: block.dFF }, repeats);
    const matmulMs = matmul.ms;

    const params = initBlockParams(block, 'float32', 3);
    const x = randomTensor([batch, seq, d]);
    const build = (withGrad: boolean) => {
      const g = new Graph(withGrad ? 'bench_block_grad' : 'bench_block');
      const input = g.input('x', 'float32', ['batch', 'seq', d]);
      const weights = Object.fromEntries(BLOCK_PARAM_NAMES.map((n) => [n, g.weight(n, params[n], { frozen: false })])) as BlockParams;
      const y = gpt2Block(input, weights, block);
      if (!withGrad) {
        g.output(y, 'y');
        return g;
      }
      const loss = op.reduceSum(op.mul(y, y));
      g.output(loss, 'loss');
      const wrt: Value[] = [input, ...BLOCK_PARAM_NAMES.map((n) => weights[n])];
      grad(loss, wrt).forEach((gv, i) => g.output(gv, `grad_${i}`));
      return g;
    };
    progress('block forward');
    const blockForwardMs = await medianRunMs(await manager.load(build(false)), { x }, repeats);
    progress('block forward+backward');
    const blockForwardBackwardMs = await medianRunMs(await manager.load(build(true)), { x }, repeats);
    // qkv + output projection + the two MLP products + scores and context.
    const blockFlops = 2 * tokens * d * 3 * d + 2 * tokens * d * d + 2 * 2 * tokens * d * block.dFF + 4 * batch * seq * seq * d;
    const backwardMs = Math.max(blockForwardBackwardMs - blockForwardMs, 1e-9);
    const gflops = (flops: number, ms: number) => Math.round((flops / (ms / 1000) / 1e9) * 10) / 10;
    return {
      matmulGflops: matmul.gflops,
      blockForwardGflops: gflops(blockFlops, blockForwardMs),
      blockBackwardGflops: gflops(2 * blockFlops, backwardMs),
      blockForwardBackwardGflops: gflops(3 * blockFlops, blockForwardBackwardMs),
      matmulMs: round(matmulMs),
      blockForwardMs: round(blockForwardMs),
      blockForwardBackwardMs: round(blockForwardBackwardMs),
      shape: { batch, seq, dModel: d, heads: block.heads, dFF: block.dFF },
      threads: options.threads ?? defaultThreads(),
      provider: options.provider ?? 'cpu',
    };
  } finally {
    await manager.close();
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
