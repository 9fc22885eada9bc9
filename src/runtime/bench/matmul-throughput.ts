import { hostTensor, type HostTensor } from '../graph/dtype';
import { Graph } from '../graph/graph';
import * as op from '../ops';
import { mulberry32 } from '../random';
import type { CompiledGraph, SessionManager } from '../session/session-manager';

/** One MatMul's shape: [m, k] · [k, n]. */
export interface MatmulShape {
  m: number;
  k: number;
  n: number;
}

export interface MatmulThroughput {
  gflops: number;
  /** Median milliseconds per MatMul. */
  ms: number;
  shape: MatmulShape;
}

/** GPT-2 small's MLP input projection on 4 × 128 tokens: 512 × 768 · 768 × 3072 (2.4 GFLOP). */
export const GPT2_SMALL_MLP_MATMUL: MatmulShape = { m: 512, k: 768, n: 3072 };

/**
 * fp32 MatMul throughput on the sessions' threads: the median of `repeats` runs after a warm-up.
 * A second or less at the default shape, so a benchmark can print it beside its own figures (on a
 * shared machine a wall time means little without the throughput the same run saw).
 */
export async function matmulThroughput(manager: SessionManager, shape: MatmulShape = GPT2_SMALL_MLP_MATMUL, repeats = 15): Promise<MatmulThroughput> {
  const random = mulberry32(42);
  const randomTensor = (dims: number[]): HostTensor => {
    const t = hostTensor('float32', dims);
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) data[i] = 2 * random() - 1;
    return t;
  };
  const g = new Graph('bench_matmul');
  const a = g.input('a', 'float32', [shape.m, shape.k]);
  const w = g.weight('w', randomTensor([shape.k, shape.n]), { frozen: false });
  g.output(op.matmul(a, w), 'y');
  const ms = await medianRunMs(await manager.load(g), { a: randomTensor([shape.m, shape.k]) }, repeats);
  return { gflops: Math.round(((2 * shape.m * shape.k * shape.n) / (ms / 1000) / 1e9) * 10) / 10, ms: Math.round(ms * 100) / 100, shape };
}

/** Median wall time of `repeats` runs after a warm-up run. */
export async function medianRunMs(compiled: CompiledGraph, feeds: Record<string, HostTensor>, repeats: number): Promise<number> {
  await compiled.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    await compiled.run(feeds);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
