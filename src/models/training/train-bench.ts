import { matmulThroughput } from '../../runtime/bench/matmul-throughput';
import { mulberry32 } from '../../runtime/random';
import type { SessionManager } from '../../runtime/session/session-manager';
import type { Gpt2Config } from '../config';
import { LanguageModel } from '../language-model';
import { initGpt2Weights } from './init-weights';
import { createTrainingStep, type TrainingRows } from './trainer';

export interface TrainBenchResult {
  tokensPerSec: number;
  msPerStep: number;
  /** Median milliseconds per step in the loss-and-gradient graph, and in clipping plus AdamW. */
  graphMs: number;
  optimizerMs: number;
  /** The same run's fp32 MatMul throughput: on a shared machine, what the wall times were measured against. */
  matmulGflops: number;
  params: number;
  shape: { batch: number; seq: number; dModel: number; layers: number; heads: number; vocab: number };
}

/**
 * Training throughput of a GPT-2 of the given shape (by default the fixture's), timed over
 * `steps` optimizer steps on random tokens after two warm-up steps: what `ked model train`
 * spends per step, without its data loading and checkpoints.
 */
export async function benchTraining(
  sessions: SessionManager,
  options: { batch: number; seq: number; dModel: number; layers: number; heads: number; vocab: number; steps: number },
): Promise<TrainBenchResult> {
  const config: Gpt2Config = {
    family: 'gpt2',
    modelType: 'gpt2',
    vocabSize: options.vocab,
    layerNormEps: 1e-5,
    activation: 'gelu_new',
    tieWordEmbeddings: true,
    bosTokenId: 0,
    eosTokenId: 0,
    dModel: options.dModel,
    layers: options.layers,
    heads: options.heads,
    dFF: 4 * options.dModel,
    maxPositions: options.seq,
  };
  const weights = initGpt2Weights(config, 1);
  const step = await createTrainingStep(new LanguageModel(config, weights, sessions), weights, { peakLr: 1e-3, weightDecay: 0.01, clipNorm: 1, seq: options.seq }, sessions);
  const random = mulberry32(7);
  const token = () => Math.floor(random() * options.vocab);
  const rows = (): TrainingRows => {
    const inputIds = Array.from({ length: options.batch }, () => Array.from({ length: options.seq }, token));
    return { inputIds, targets: inputIds.map((row) => [...row.slice(1), token()]), lossMask: inputIds.map((row) => row.map(() => 1)) };
  };
  for (let i = 0; i < 2; i++) await step.run(rows(), 1e-3);
  const graph: number[] = [];
  const optimizer: number[] = [];
  for (let i = 0; i < options.steps; i++) {
    const result = await step.run(rows(), 1e-3);
    graph.push(result.graphMs);
    optimizer.push(result.optimizerMs);
  }
  const { gflops: matmulGflops } = await matmulThroughput(sessions);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const msPerStep = median(graph.map((g, i) => g + optimizer[i]));
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    tokensPerSec: Math.round((options.batch * options.seq * 1000) / msPerStep),
    msPerStep: round(msPerStep),
    graphMs: round(median(graph)),
    optimizerMs: round(median(optimizer)),
    matmulGflops,
    params: [...weights.values()].reduce((n, t) => n + t.data.length, 0),
    shape: { batch: options.batch, seq: options.seq, dModel: options.dModel, layers: options.layers, heads: options.heads, vocab: options.vocab },
  };
}
