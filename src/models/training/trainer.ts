import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostTensor, type HostTensor } from '../../runtime/graph/dtype';
import { AdamW, adamWStateFromTensors, adamWStateToTensors, clipGradNorm, noWeightDecay, warmupCosine } from '../../runtime/optim';
import type { SessionManager } from '../../runtime/session/session-manager';
import { readSafetensorsFile, writeSafetensorsFile } from '../checkpoint/safetensors';
import { fromHostTensor, toFloat32 } from '../checkpoint/tensor-data';
import type { Gpt2Config } from '../config';
import { LanguageModel } from '../language-model';
import type { KedTokenizer } from '../tokenizer';
import { initGpt2Weights } from './init-weights';
import { buildLanguageModelingLoss } from './lm-loss';
import { packEpoch } from './packing';

export interface TrainHyperparameters {
  steps: number;
  batchSize: number;
  seq: number;
  peakLr: number;
  minLr: number;
  warmupSteps: number;
  weightDecay: number;
  clipNorm: number;
  seed: number;
}

export interface StepReport {
  step: number;
  steps: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokensPerSec: number;
  etaSeconds: number;
}

export interface TrainResult {
  weights: Map<string, HostTensor>;
  steps: number;
  finalLoss: number;
  /** Mean loss of the first and last 5% of steps run in this process (resumes included). */
  lossHistory: number[];
  wallSeconds: number;
  corpusSha256: string;
  tokens: number;
}

interface TrainState {
  step: number;
  epoch: number;
  row: number;
  corpusSha256: string;
  hyperparameters: TrainHyperparameters;
  lossHistory: number[];
  wallSeconds: number;
}

/**
 * Trains a GPT-2 model from scratch on a document list with the runtime's autodiff and AdamW.
 * Every `checkpointEvery` steps it saves weights, optimizer moments and the data position to
 * `stateDir`, so a killed run resumes where it stopped and ends bit-identical to an unbroken one.
 */
export async function trainLanguageModel(options: {
  documents: string[];
  /** The documents of each epoch, when they change between epochs (same count); `documents` is what the hash covers. */
  epochDocuments?: (epoch: number) => string[];
  tokenizer: KedTokenizer;
  config: Gpt2Config;
  hyperparameters: TrainHyperparameters;
  sessions: SessionManager;
  stateDir: string;
  checkpointEvery?: number;
  onStep?: (report: StepReport) => void;
}): Promise<TrainResult> {
  const { documents, tokenizer, config, hyperparameters: hp, sessions, stateDir } = options;
  const eos = tokenizer.eosTokenId;
  if (eos === undefined) throw new Error('the tokenizer has no eos token to separate documents');
  const corpusSha256 = createHash('sha256').update(documents.join('\n')).digest('hex');
  const encode = (text: string) => [...tokenizer.encode(text, { addSpecialTokens: false }), eos];
  const encoded = documents.map(encode);
  const tokens = encoded.reduce((n, d) => n + d.length, 0);
  const epochRowsOf = (epoch: number) => {
    const texts = options.epochDocuments?.(epoch);
    if (texts && texts.length !== documents.length) throw new Error(`epochDocuments(${epoch}) gave ${texts.length} documents, not ${documents.length}`);
    const epochEncoded = texts ? texts.map((text, i) => (text === documents[i] ? encoded[i] : encode(text))) : encoded;
    return packEpoch(epochEncoded, hp.seq, eos, hp.seed, epoch);
  };

  let state: TrainState = { step: 0, epoch: 0, row: 0, corpusSha256, hyperparameters: hp, lossHistory: [], wallSeconds: 0 };
  let weights = initGpt2Weights(config, hp.seed);
  const statePath = join(stateDir, 'state.json');
  let optimizerState: ReturnType<AdamW['state']> | undefined;
  if (existsSync(statePath)) {
    const saved = JSON.parse(readFileSync(statePath, 'utf8')) as TrainState;
    if (saved.corpusSha256 !== corpusSha256) throw new Error(`${statePath}: saved for a different corpus; remove ${stateDir} to start over`);
    if (JSON.stringify(saved.hyperparameters) !== JSON.stringify(hp)) throw new Error(`${statePath}: saved with different hyper-parameters; remove ${stateDir} to start over`);
    state = saved;
    const savedWeights = await readSafetensorsFile(join(stateDir, `weights-${saved.step}.safetensors`));
    weights = new Map([...weights].map(([name, t]) => [name, hostTensor('float32', t.shape, toFloat32(savedWeights.tensors.get(name)!, name))]));
    const moments = await readSafetensorsFile(join(stateDir, `optimizer-${saved.step}.safetensors`));
    const tensors = Object.fromEntries([...moments.tensors].map(([k, t]) => [k, toFloat32(t, k)]));
    optimizerState = adamWStateFromTensors(tensors, moments.metadata?.get('adamw') ?? '');
  }

  const model = new LanguageModel(config, weights, sessions);
  const step = await createTrainingStep(model, weights, hp, sessions);
  if (optimizerState) step.optimizer.loadState(optimizerState);
  const schedule = warmupCosine({ peakLr: hp.peakLr, warmupSteps: hp.warmupSteps, totalSteps: hp.steps, minLr: hp.minLr });

  let epochRows = epochRowsOf(state.epoch);
  const started = Date.now();
  const firstStep = state.step;
  const wallBefore = state.wallSeconds;
  const checkpointEvery = options.checkpointEvery ?? 100;
  let lastLoss = NaN;
  while (state.step < hp.steps) {
    const rows = { inputIds: [] as number[][], targets: [] as number[][], lossMask: [] as number[][] };
    while (rows.inputIds.length < hp.batchSize) {
      if (state.row >= epochRows.inputIds.length) {
        state.epoch++;
        state.row = 0;
        epochRows = epochRowsOf(state.epoch);
      }
      rows.inputIds.push(epochRows.inputIds[state.row]);
      rows.targets.push(epochRows.targets[state.row]);
      rows.lossMask.push(epochRows.lossMask[state.row]);
      state.row++;
    }
    const lr = schedule(state.step);
    const result = await step.run(rows, lr).catch((err: unknown) => {
      throw err instanceof TrainingDivergedError ? new Error(`training diverged at step ${state.step}: ${err.message}`) : err;
    });
    lastLoss = result.loss;
    const gradNorm = result.gradNorm;
    const b = hp.batchSize;
    state.step++;
    state.lossHistory.push(Math.round(lastLoss * 1e4) / 1e4);
    state.wallSeconds = wallBefore + (Date.now() - started) / 1000;
    const elapsed = Math.max((Date.now() - started) / 1000, 1e-3);
    const stepsHere = state.step - firstStep;
    options.onStep?.({
      step: state.step,
      steps: hp.steps,
      loss: lastLoss,
      gradNorm,
      lr,
      tokensPerSec: Math.round((stepsHere * b * hp.seq) / elapsed),
      etaSeconds: Math.round(((hp.steps - state.step) * elapsed) / stepsHere),
    });
    if (state.step % checkpointEvery === 0 || state.step === hp.steps) await saveState(stateDir, state, weights, step.optimizer);
  }
  return {
    weights,
    steps: state.step,
    finalLoss: lastLoss,
    lossHistory: state.lossHistory,
    wallSeconds: state.wallSeconds,
    corpusSha256,
    tokens,
  };
}

/**
 * Writes the resumable state. The tensors go to files named by step and state.json is replaced
 * last (by rename), so a crash at any point leaves a state.json that names complete files.
 */
async function saveState(dir: string, state: TrainState, weights: Map<string, HostTensor>, optimizer: AdamW): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const previous = existsSync(join(dir, 'state.json')) ? (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as TrainState).step : undefined;
  await writeSafetensorsFile(join(dir, `weights-${state.step}.safetensors`), { metadata: null, tensors: new Map([...weights].map(([n, t]) => [n, fromHostTensor(t)])) });
  const { tensors, header } = adamWStateToTensors(optimizer.state());
  await writeSafetensorsFile(join(dir, `optimizer-${state.step}.safetensors`), {
    metadata: new Map([['adamw', JSON.stringify(header)]]),
    tensors: new Map(Object.entries(tensors).map(([k, data]) => [k, fromHostTensor({ dtype: 'float32', shape: [data.length], data })])),
  });
  writeFileSync(join(dir, 'state.json.tmp'), JSON.stringify(state));
  renameSync(join(dir, 'state.json.tmp'), join(dir, 'state.json'));
  if (previous !== undefined && previous !== state.step) {
    for (const file of [`weights-${previous}.safetensors`, `optimizer-${previous}.safetensors`]) rmSync(join(dir, file), { force: true });
  }
}

/** A batch of packed rows: token ids, next-token targets and which targets count. */
export interface TrainingRows {
  inputIds: number[][];
  targets: number[][];
  lossMask: number[][];
}

export interface TrainingStepResult {
  loss: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  /** Milliseconds in the loss-and-gradient graph, and in clipping plus the AdamW update. */
  graphMs: number;
  optimizerMs: number;
}

/**
 * One optimizer step of language-model training, as the trainer and `ked bench train` run it:
 * the loss-and-gradient graph on a batch, global norm clipping, then AdamW on `weights` in place.
 */
export async function createTrainingStep(
  model: LanguageModel,
  weights: Map<string, HostTensor>,
  hp: Pick<TrainHyperparameters, 'peakLr' | 'weightDecay' | 'clipNorm' | 'seq'>,
  sessions: SessionManager,
): Promise<{ optimizer: AdamW; run(rows: TrainingRows, lr: number): Promise<TrainingStepResult> }> {
  const params = new Map([...weights].map(([name, t]) => [name, t.data as Float32Array]));
  const optimizer = new AdamW(params, {
    lr: hp.peakLr,
    weightDecay: hp.weightDecay,
    // No decay on biases, LayerNorm parameters or position embeddings (GPT-2 / nanoGPT practice).
    paramOptions: noWeightDecay((name) => name.endsWith('.bias') || /ln_\d|ln_f/.test(name) || name === 'wpe.weight'),
  });
  const { graph, gradNames } = buildLanguageModelingLoss(model);
  const compiled = await sessions.load(graph);
  return {
    optimizer,
    async run(rows, lr) {
      const b = rows.inputIds.length;
      const seq = hp.seq;
      const started = performance.now();
      const out = await compiled.run({
        input_ids: hostTensor('int64', [b, seq], rows.inputIds.flat()),
        attention_mask: hostTensor('int64', [b, seq], Array(b * seq).fill(1)),
        position_ids: hostTensor('int64', [b, seq], Array.from({ length: b * seq }, (_, i) => i % seq)),
        targets: hostTensor('int64', [b, seq], rows.targets.flat()),
        loss_mask: hostTensor('float32', [b, seq], rows.lossMask.flat()),
      });
      const graphDone = performance.now();
      const grads = new Map([...gradNames].map(([name, output]) => [name, out[output].data as Float32Array]));
      const gradNorm = clipGradNorm(grads, hp.clipNorm);
      const loss = Number(out.loss.data[0]);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw new TrainingDivergedError(loss, gradNorm);
      optimizer.step(grads, lr);
      return { loss, gradNorm, graphMs: graphDone - started, optimizerMs: performance.now() - graphDone };
    },
  };
}

/** A step whose loss or gradient norm is not finite: the weights were left as they were. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly loss: number,
    readonly gradNorm: number,
  ) {
    super(`loss ${loss}, grad norm ${gradNorm}`);
    this.name = 'TrainingDivergedError';
  }
}
