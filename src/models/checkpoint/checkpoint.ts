/**
 * Hugging Face checkpoint directories: config.json plus model.safetensors or a sharded
 * model.safetensors.index.json. Loading converts the weights to float32 and checks them against
 * the tensors the config implies; writing produces a directory transformers can load again.
 */
import { promises as fs } from 'fs';
import { join, resolve } from 'path';
import type { HostTensor } from '../../runtime/graph/dtype';
import type { ModelConfig } from '../config';
import { classifyCheckpointName, embeddingName, expectedTensorShapes } from './expected-tensors';
import { parseHfConfig, toHfConfig } from './hf-config';
import { elementCount, RawTensor, readSafetensorsFile } from './safetensors';
import { INDEX_FILE, parseByteSize, readJson, readShardIndex, SINGLE_FILE, writeShardedSafetensors } from './sharded';
import { encodeFloat32, toFloat32 } from './tensor-data';

export type CheckpointDtype = 'float32' | 'float16' | 'bfloat16';

export interface LoadedCheckpoint {
  config: ModelConfig;
  /** HF tensor names (normalised, see expected-tensors.ts) → float32 tensors, in module order. */
  weights: Map<string, HostTensor>;
  /** The dtype most of the stored weights had. */
  sourceDtype: CheckpointDtype;
  /** config.json as read, for writing it back with its other fields. */
  rawConfig: object;
}

const STORED_DTYPE: Record<CheckpointDtype, 'F32' | 'F16' | 'BF16'> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' };
const SOURCE_DTYPE: Partial<Record<RawTensor['dtype'], CheckpointDtype>> = { F32: 'float32', F64: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** Files copied by `tokenizerFrom`: the tokenizer's, and generation defaults, which name its special tokens. */
const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
  'chat_template.jinja',
  'chat_template.json',
  'generation_config.json',
];

/** Problems are gathered over the whole checkpoint and reported together. */
class Problems {
  private readonly lines: string[] = [];
  add(line: string): void {
    this.lines.push(line);
  }
  throwIfAny(summary: string): void {
    if (this.lines.length === 0) return;
    if (this.lines.length === 1) throw new Error(this.lines[0]);
    const shown = this.lines.slice(0, 20).map((l) => `  - ${l}`);
    if (this.lines.length > 20) shown.push(`  - ... and ${this.lines.length - 20} more`);
    throw new Error(`${summary}: ${this.lines.length} problems\n${shown.join('\n')}`);
  }
}

const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((n, i) => n === b[i]);

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const configPath = join(dir, 'config.json');
  if (!(await exists(configPath))) throw new Error(`${dir}: no config.json (not a Hugging Face checkpoint directory)`);
  const rawConfig = await readJson(configPath);
  const config = parseHfConfig(rawConfig, configPath);
  const expected = expectedTensorShapes(config);
  const describe = `${config.modelType} with ${config.layers} layers, d_model ${config.dModel}, vocab ${config.vocabSize}`;
  const problems = new Problems();
  // Converted as soon as read, so that a shard's raw buffer can go once it is done (unless F32 views hold it).
  const found = new Map<string, { data: Float32Array; dtype: CheckpointDtype; elements: number }>();
  /** Name → file for every expected tensor met, usable or not (a bad one is not also reported missing). */
  const present = new Map<string, string>();

  for (const { file, listed } of await weightFiles(dir)) {
    const contents = await readSafetensorsFile(file);
    for (const [fileName, tensor] of contents.tensors) {
      if (listed && listed.get(fileName) !== file) {
        problems.add(`${file}: tensor "${fileName}" is not mapped to this file by ${INDEX_FILE}`);
        continue;
      }
      const named = classifyCheckpointName(config, fileName, expected);
      if (named.kind === 'unknown') {
        problems.add(`${file}: unexpected tensor "${fileName}" ${formatShape(tensor.shape)}: not part of a ${describe}`);
      } else if (named.kind === 'ignored') {
        const embedding = expected.get(embeddingName(config))!;
        if (named.name === 'lm_head.weight' && !sameShape(tensor.shape, embedding)) {
          const tiedTo = `${formatShape(embedding)} (tied to ${embeddingName(config)})`;
          problems.add(`${file}: tensor "${fileName}" has shape ${formatShape(tensor.shape)}, expected ${tiedTo}`);
        }
      } else {
        const shape = expected.get(named.name)!;
        const earlier = present.get(named.name);
        present.set(named.name, file);
        const where = `${file}: tensor "${fileName}"`;
        if (earlier) problems.add(`${where} duplicates "${named.name}" from ${earlier}`);
        else if (!sameShape(tensor.shape, shape)) problems.add(`${where} has shape ${formatShape(tensor.shape)}, expected ${formatShape(shape)} for a ${describe}`);
        else if (!SOURCE_DTYPE[tensor.dtype]) problems.add(`${where} has dtype ${tensor.dtype}; weights must be F32, F16, BF16 or F64`);
        else found.set(named.name, { data: toFloat32(tensor, fileName), dtype: SOURCE_DTYPE[tensor.dtype]!, elements: elementCount(shape) });
      }
    }
    if (listed) {
      for (const [name, mappedFile] of listed) {
        if (mappedFile === file && !contents.tensors.has(name)) {
          problems.add(`${file}: tensor "${name}" is mapped here by ${INDEX_FILE} but is not in the file`);
        }
      }
    }
  }
  const source = (await exists(join(dir, SINGLE_FILE))) ? join(dir, SINGLE_FILE) : `the shards of ${join(dir, INDEX_FILE)}`;
  for (const [name, shape] of expected) {
    if (!present.has(name)) problems.add(`${source}: missing tensor "${name}" (expected shape ${formatShape(shape)} for a ${describe})`);
  }
  problems.throwIfAny(`${dir} does not hold the weights its config.json describes`);

  const weights = new Map<string, HostTensor>();
  const elementsByDtype = new Map<CheckpointDtype, number>();
  for (const [name, shape] of expected) {
    const { data, dtype, elements } = found.get(name)!;
    weights.set(name, { dtype: 'float32', shape: [...shape], data });
    elementsByDtype.set(dtype, (elementsByDtype.get(dtype) ?? 0) + elements);
  }
  const sourceDtype = [...elementsByDtype].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'float32';
  return { config, weights, sourceDtype, rawConfig: rawConfig as object };
}

/** model.safetensors if present (transformers prefers it), otherwise the shards of the index. */
async function weightFiles(dir: string): Promise<Array<{ file: string; listed?: Map<string, string> }>> {
  if (await exists(join(dir, SINGLE_FILE))) return [{ file: join(dir, SINGLE_FILE) }];
  if (await exists(join(dir, INDEX_FILE))) {
    const index = await readShardIndex(dir);
    const listed = new Map([...index.weightMap].map(([name, file]) => [name, join(dir, file)]));
    return index.files.map((file) => ({ file: join(dir, file), listed }));
  }
  throw new Error(`${dir}: neither ${SINGLE_FILE} nor ${INDEX_FILE} (ked reads safetensors only; convert pytorch_model.bin first)`);
}

export interface WriteCheckpointOptions {
  config: ModelConfig;
  /** HF names → float32 tensors, exactly the tensors expectedTensorShapes(config) lists. */
  weights: Map<string, HostTensor>;
  /** How the weights are stored; float16/bfloat16 round to nearest even. */
  dtype: CheckpointDtype;
  /** The original config.json, whose other fields are kept. */
  rawConfig?: object;
  /** A directory to copy tokenizer files (and generation_config.json) from. */
  tokenizerFrom?: string;
  /** Split into shards of at most this size: bytes, or "5GB" / "2GiB". Default: one file. */
  maxShardSize?: number | string;
}

/** Writes config.json and the weights (and tokenizer files); returns the names of the files written. */
export async function writeCheckpoint(dir: string, options: WriteCheckpointOptions): Promise<string[]> {
  const { config, weights, dtype } = options;
  const expected = expectedTensorShapes(config);
  const problems = new Problems();
  for (const [name, shape] of expected) {
    const tensor = weights.get(name);
    if (!tensor) problems.add(`missing tensor "${name}" (expected shape ${formatShape(shape)})`);
    else if (!sameShape(tensor.shape, shape)) problems.add(`tensor "${name}" has shape ${formatShape(tensor.shape)}, expected ${formatShape(shape)}`);
    else if (tensor.dtype !== 'float32' || !(tensor.data instanceof Float32Array)) problems.add(`tensor "${name}" is ${tensor.dtype}, expected float32`);
    else if (tensor.data.length !== elementCount(shape)) problems.add(`tensor "${name}" has ${tensor.data.length} values for shape ${formatShape(shape)}`);
  }
  for (const [name, tensor] of weights) {
    if (!expected.has(name)) problems.add(`unexpected tensor "${name}" ${formatShape(tensor.shape)} for a ${config.modelType} model`);
  }
  problems.throwIfAny(`cannot write ${dir}`);

  await fs.mkdir(dir, { recursive: true });
  const stored = new Map<string, RawTensor>();
  for (const [name, shape] of expected) stored.set(name, encodeFloat32(weights.get(name)!.data as Float32Array, [...shape], STORED_DTYPE[dtype]));
  const written = await writeShardedSafetensors(dir, stored, {
    maxShardBytes: options.maxShardSize === undefined ? Infinity : parseByteSize(options.maxShardSize),
    metadata: new Map([['format', 'pt']]), // transformers checks for it
  });

  const configJson = toHfConfig(config, options.rawConfig, { torchDtype: dtype });
  await fs.writeFile(join(dir, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`);
  written.push('config.json');

  if (options.tokenizerFrom && resolve(options.tokenizerFrom) !== resolve(dir)) {
    for (const file of TOKENIZER_FILES) {
      if (await exists(join(options.tokenizerFrom, file))) {
        await fs.copyFile(join(options.tokenizerFrom, file), join(dir, file));
        written.push(file);
      }
    }
  }
  return written;
}
