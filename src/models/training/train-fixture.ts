import { createReadStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SessionManager } from '../../runtime/session/session-manager';
import { writeCheckpoint } from '../checkpoint/checkpoint';
import type { Gpt2Config } from '../config';
import { KedTokenizer } from '../tokenizer';
import { trainByteLevelBpe } from '../tokenizer/train-byte-level-bpe';
import { documentsForEpoch, type RenamedDocument } from './made-up-name';
import { trainLanguageModel, type StepReport, type TrainHyperparameters } from './trainer';

export interface FixtureTrainingOptions {
  corpusPath: string;
  outDir: string;
  vocabSize: number;
  model: Pick<Gpt2Config, 'dModel' | 'layers' | 'heads' | 'dFF' | 'maxPositions'>;
  hyperparameters: TrainHyperparameters;
  sessions: SessionManager;
  onStep?: (report: StepReport) => void;
}

/**
 * A corpus document, whether the tokenizer is trained on it (the model always is), and the names
 * in it that training replaces with new made-up names every epoch after the first.
 */
export interface CorpusDocument extends RenamedDocument {
  tokenizer: boolean;
}

/** Reads a corpus.jsonl of {"text": ..., "tokenizer"?: false, "fresh"?: [names]} lines. */
export async function readCorpus(path: string): Promise<CorpusDocument[]> {
  const lines: CorpusDocument[] = [];
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of reader) {
    n++;
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { text?: unknown; tokenizer?: unknown; fresh?: unknown };
    const text = record.text;
    if (typeof text !== 'string') throw new Error(`${path}:${n}: expected {"text": string}`);
    if (record.tokenizer !== undefined && typeof record.tokenizer !== 'boolean') throw new Error(`${path}:${n}: "tokenizer" must be true or false`);
    const fresh = record.fresh ?? [];
    if (!Array.isArray(fresh) || !fresh.every((name): name is string => typeof name === 'string' && name.length > 0 && text.includes(name))) {
      throw new Error(`${path}:${n}: "fresh" must list names that occur in "text"`);
    }
    lines.push({ text, tokenizer: record.tokenizer !== false, freshNames: fresh });
  }
  return lines;
}

/**
 * The whole fixture recipe: a byte-level BPE tokenizer trained on the corpus (less the lines
 * marked "tokenizer": false), a GPT-2 trained from scratch on all of it, and a Hugging Face
 * checkpoint directory with a manifest of how it was made.
 */
export async function trainFixtureModel(options: FixtureTrainingOptions): Promise<Record<string, unknown>> {
  const corpus = await readCorpus(options.corpusPath);
  const documents = corpus.map((d) => d.text);
  const trained = trainByteLevelBpe(corpus.filter((d) => d.tokenizer).map((d) => d.text), { vocabSize: options.vocabSize });
  const tokenizer = new KedTokenizer({ tokenizer: trained.tokenizer, config: trained.config, source: 'trained tokenizer' });
  const eos = tokenizer.eosTokenId!;
  const config: Gpt2Config = {
    family: 'gpt2',
    modelType: 'gpt2',
    vocabSize: tokenizer.vocabSize,
    layerNormEps: 1e-5,
    activation: 'gelu_new',
    tieWordEmbeddings: true,
    bosTokenId: eos,
    eosTokenId: eos,
    ...options.model,
  };
  const stateDir = join(options.outDir, '.train-state');
  mkdirSync(options.outDir, { recursive: true });
  const renamed = corpus.some((d) => d.freshNames.length > 0);
  const result = await trainLanguageModel({
    documents,
    epochDocuments: renamed ? (epoch) => documentsForEpoch(corpus, options.hyperparameters.seed, epoch) : undefined,
    tokenizer,
    config,
    hyperparameters: options.hyperparameters,
    sessions: options.sessions,
    stateDir,
    onStep: options.onStep,
  });

  await writeCheckpoint(options.outDir, { config, weights: result.weights, dtype: 'float32' });
  writeFileSync(join(options.outDir, 'tokenizer.json'), `${JSON.stringify(trained.tokenizer)}\n`);
  writeFileSync(join(options.outDir, 'tokenizer_config.json'), `${JSON.stringify(trained.config, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'generation_config.json'), `${JSON.stringify({ bos_token_id: eos, eos_token_id: eos, do_sample: false, max_new_tokens: 32 }, null, 2)}\n`);
  const manifest = {
    recipe: 'ked model train',
    seed: options.hyperparameters.seed,
    corpus: options.corpusPath,
    corpusSha256: result.corpusSha256,
    corpusDocuments: documents.length,
    corpusTokens: result.tokens,
    documentsRenamedEachEpoch: corpus.filter((d) => d.freshNames.length > 0).length,
    tokenizer: { type: 'byte-level BPE', vocabSize: tokenizer.vocabSize, merges: trained.merges },
    model: config,
    hyperparameters: options.hyperparameters,
    steps: result.steps,
    tokensSeen: result.steps * options.hyperparameters.batchSize * options.hyperparameters.seq,
    wallSeconds: Math.round(result.wallSeconds),
    finalLoss: result.finalLoss,
    lossEvery50Steps: result.lossHistory.filter((_, i) => i % 50 === 0),
  };
  writeFileSync(join(options.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
  return manifest;
}
