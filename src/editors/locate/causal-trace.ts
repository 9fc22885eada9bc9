import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import { rightPadded, type LanguageModel } from '../../models/language-model';
import { tapName } from '../../models/graph/forward-options';
import { argmaxOf, logSoftmaxAt } from '../../models/logits';
import type { KedTokenizer } from '../../models/tokenizer';
import { hostTensor } from '../../runtime/graph/dtype';
import { gaussian, mulberry32 } from '../../runtime/random';
import { subjectLastToken } from './subject-token';

export interface TraceOptions {
  /** What is restored: the whole residual stream after a layer, or only that layer's MLP output. */
  kind: 'resid' | 'mlp';
  /** Noise draws averaged (ROME: 10). */
  samples: number;
  /** Noise standard deviation in units of the token embeddings' standard deviation (ROME: 3). */
  noise: number;
  seed: number;
}

export interface CausalTrace {
  prompt: string;
  tokens: string[];
  /** Token positions of the subject: [start, end). */
  subject: [number, number];
  answer: string;
  /** p(answer's first token) of the clean run and of the corrupted run with nothing restored. */
  clean: number;
  corrupted: number;
  /** probability[position][layer]: the corrupted run with that state restored to its clean value. */
  probability: number[][];
  kind: TraceOptions['kind'];
}

export const DEFAULT_TRACE: TraceOptions = { kind: 'mlp', samples: 10, noise: 3, seed: 1 };

/**
 * Causal tracing (Meng et al. 2022, §2.1): corrupt the subject's token embeddings with Gaussian
 * noise, then restore one hidden state (layer, position) to its clean value and measure how much
 * of the answer's probability comes back. Restoring is an addition to the residual stream of
 * (clean − corrupted) at that state, which for one layer is exactly the replacement ROME makes.
 */
export async function causalTrace(model: LanguageModel, tokenizer: KedTokenizer, prompt: string, subject: string, answer: string | undefined, options: TraceOptions = DEFAULT_TRACE): Promise<CausalTrace> {
  const { ids, index: subjectEnd } = subjectLastToken(tokenizer, prompt, subject);
  const subjectStart = tokenizer.encode(prompt.slice(0, prompt.lastIndexOf(subject)).trimEnd()).length;
  const layers = model.config.layers;
  const d = model.config.dModel;
  const seq = ids.length;
  const read = options.kind === 'mlp' ? 'mlp.out' : 'resid';
  const taps = Array.from({ length: layers }, (_, layer) => ({ kind: read, layer }) as const);
  const { compiled } = await model.forward({ logits: 'last', residualAdd: [-1, ...taps.map((t) => t.layer)], taps: [...taps] });
  const zeros = (batch: number) => Object.fromEntries([-1, ...taps.map((t) => t.layer)].map((l) => [l < 0 ? 'resid.add.embed' : `resid.add.${l}`, hostTensor('float32', [batch, seq, d])]));
  const probabilityOf = (logits: Float32Array, row: number, token: number) => Math.exp(logSoftmaxAt(logits.subarray(row * model.config.vocabSize, (row + 1) * model.config.vocabSize), token));

  const cleanOut = await compiled.run({ ...rightPadded([ids]).feeds, ...zeros(1) });
  const cleanLogits = cleanOut.logits.data as Float32Array;
  const answerToken = answer !== undefined ? tokenizeProbe(tokenizer, { prompt, target: answer }).target[0] : argmaxOf(cleanLogits);
  const answerText = answer ?? tokenizer.decode([answerToken]);
  const clean = probabilityOf(cleanLogits, 0, answerToken);
  const cleanStates = taps.map((t) => cleanOut[tapName(t)].data as Float32Array);

  const scale = options.noise * embeddingStd(model);
  const random = mulberry32(options.seed);
  const sums = Array.from({ length: seq }, () => new Array<number>(layers).fill(0));
  let corruptedSum = 0;
  const rows = Array.from({ length: layers * seq }, (_, r) => ({ layer: Math.floor(r / seq), position: r % seq }));
  for (let s = 0; s < options.samples; s++) {
    const noise = new Float32Array(seq * d);
    for (let p = subjectStart; p <= subjectEnd; p++) for (let j = 0; j < d; j++) noise[p * d + j] = scale * gaussian(random);
    // The corrupted run, to know what each restore has to add.
    const corruptFeeds = zeros(1);
    (corruptFeeds['resid.add.embed'].data as Float32Array).set(noise);
    const corruptOut = await compiled.run({ ...rightPadded([ids]).feeds, ...corruptFeeds });
    corruptedSum += probabilityOf(corruptOut.logits.data as Float32Array, 0, answerToken);
    const corruptStates = taps.map((t) => corruptOut[tapName(t)].data as Float32Array);
    for (let start = 0; start < rows.length; start += 32) {
      const chunk = rows.slice(start, start + 32);
      const feeds = zeros(chunk.length);
      chunk.forEach(({ layer, position }, b) => {
        (feeds['resid.add.embed'].data as Float32Array).set(noise, b * seq * d);
        const target = feeds[`resid.add.${layer}`].data as Float32Array;
        for (let j = 0; j < d; j++) target[(b * seq + position) * d + j] = cleanStates[layer][position * d + j] - corruptStates[layer][position * d + j];
      });
      const out = await compiled.run({ ...rightPadded(chunk.map(() => ids)).feeds, ...feeds });
      chunk.forEach(({ layer, position }, b) => (sums[position][layer] += probabilityOf(out.logits.data as Float32Array, b, answerToken)));
    }
  }
  return {
    prompt,
    tokens: ids.map((id) => tokenizer.decode([id])),
    subject: [subjectStart, subjectEnd + 1],
    answer: answerText,
    clean,
    corrupted: corruptedSum / options.samples,
    probability: sums.map((row) => row.map((v) => v / options.samples)),
    kind: options.kind,
  };
}

/**
 * The layer whose restored state at the subject's last token brings back the most probability.
 * When the subject ends before the prompt does, the last layer is no candidate: no later layer
 * reads its state there, so restoring it (or editing it) cannot reach the prediction, and its
 * entry is noise around the corrupted probability ("The writer of Endless Crown is" picked it).
 */
export function decisiveLayer(trace: CausalTrace): number {
  const position = trace.subject[1] - 1;
  const row = trace.probability[position];
  const candidates = position < trace.tokens.length - 1 && row.length > 1 ? row.slice(0, -1) : row;
  return candidates.indexOf(Math.max(...candidates));
}

function embeddingStd(model: LanguageModel): number {
  const name = model.config.family === 'gpt2' ? 'wte.weight' : 'model.embed_tokens.weight';
  const w = model.weights.get(name) ?? model.weights.get(`transformer.${name}`);
  if (!w) throw new Error(`causal trace: the model has no token embedding "${name}"`);
  const data = w.data as Float32Array;
  let sum = 0;
  let sq = 0;
  for (const v of data) {
    sum += v;
    sq += v * v;
  }
  const mean = sum / data.length;
  return Math.sqrt(sq / data.length - mean * mean);
}
