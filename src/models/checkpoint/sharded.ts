/**
 * Sharded safetensors checkpoints as Hugging Face writes them: `model-00001-of-0000N.safetensors`
 * files plus `model.safetensors.index.json` = {"metadata": {"total_size": bytes}, "weight_map":
 * {tensor: file}}. Shards are planned as huggingface_hub does: tensors in order, a new shard when
 * the next tensor would overflow the limit, and a tensor larger than the limit alone in its own.
 */
import { promises as fs } from 'fs';
import { basename, join } from 'path';
import { RawTensor, SafetensorsContents, writeSafetensorsFile } from './safetensors';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const SHARD_FILE = /^model-\d{5}-of-\d{5}\.safetensors$/;

export interface ShardIndex {
  /** The index's metadata as read (total_size and anything else a writer put there). */
  metadata: Record<string, unknown>;
  /** Tensor name → shard file name, in index order. */
  weightMap: Map<string, string>;
  /** The shard files in order of first mention. */
  files: string[];
}

export function parseShardIndex(json: unknown, source: string): ShardIndex {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source}: expected a JSON object`);
  const { metadata = {}, weight_map: weightMapJson } = json as Record<string, unknown>;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new Error(`${source}: "metadata" must be an object`);
  if (weightMapJson === null || typeof weightMapJson !== 'object' || Array.isArray(weightMapJson)) {
    throw new Error(`${source}: "weight_map" must be an object of tensor name → file name`);
  }
  const weightMap = new Map<string, string>();
  for (const [name, file] of Object.entries(weightMapJson)) {
    // A shard must sit beside the index: no paths, so an index cannot point outside the checkpoint.
    if (typeof file !== 'string' || file === '' || basename(file) !== file || file === '.' || file === '..') {
      throw new Error(`${source}: "weight_map"."${name}" must be a file name in the same directory (got ${JSON.stringify(file)})`);
    }
    weightMap.set(name, file);
  }
  return { metadata: metadata as Record<string, unknown>, weightMap, files: [...new Set(weightMap.values())] };
}

export async function readShardIndex(dir: string): Promise<ShardIndex> {
  const path = join(dir, INDEX_FILE);
  return parseShardIndex(await readJson(path), path);
}

export async function readJson(path: string): Promise<unknown> {
  const text = await fs.readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

export interface ShardPlan {
  /** File name → tensor names, in file order. */
  shards: Array<{ file: string; names: string[] }>;
  totalSize: number;
}

/** huggingface_hub's greedy split; a single shard is named `model.safetensors`. */
export function planShards(tensors: ReadonlyArray<{ name: string; byteLength: number }>, maxShardBytes: number): ShardPlan {
  if (!(maxShardBytes > 0)) throw new Error(`max shard size must be positive (got ${maxShardBytes})`);
  const groups: string[][] = [];
  let current: string[] = [];
  let currentSize = 0;
  let totalSize = 0;
  for (const { name, byteLength } of tensors) {
    totalSize += byteLength;
    if (byteLength > maxShardBytes) {
      groups.push([name]);
      continue;
    }
    if (currentSize + byteLength > maxShardBytes && current.length > 0) {
      groups.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(name);
    currentSize += byteLength;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  const count = String(groups.length).padStart(5, '0');
  const file = (i: number) => (groups.length === 1 ? SINGLE_FILE : `model-${String(i + 1).padStart(5, '0')}-of-${count}.safetensors`);
  return { shards: groups.map((names, i) => ({ file: file(i), names })), totalSize };
}

/** "5GB" (10^9, as HF counts), "2GiB", "500MB", "100kB" or a number of bytes. */
export function parseByteSize(size: number | string): number {
  if (typeof size === 'number') return size;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|kB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/.exec(size);
  if (!match) throw new Error(`not a size: ${JSON.stringify(size)} (use e.g. "5GB", "500MiB" or a number of bytes)`);
  const unit = (match[2] ?? 'B').toUpperCase();
  const scale: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };
  return Math.floor(Number(match[1]) * scale[unit]);
}

export interface WriteShardsOptions {
  maxShardBytes: number;
  /** Each shard's `__metadata__` (HF writes {"format": "pt"}). */
  metadata: Map<string, string> | null;
}

/**
 * Writes `tensors` (in the order given, which decides the split) as one `model.safetensors` or as
 * shards plus index; returns the file names written. The index is formatted as transformers
 * formats it (indent 2, sorted keys, trailing newline).
 */
export async function writeShardedSafetensors(dir: string, tensors: Map<string, RawTensor>, options: WriteShardsOptions): Promise<string[]> {
  const plan = planShards(
    [...tensors].map(([name, t]) => ({ name, byteLength: t.bytes.length })),
    options.maxShardBytes,
  );
  for (const { file, names } of plan.shards) {
    const contents: SafetensorsContents = { metadata: options.metadata, tensors: new Map(names.map((name) => [name, tensors.get(name)!])) };
    await writeSafetensorsFile(join(dir, file), contents);
  }
  const written = plan.shards.map((s) => s.file);
  if (plan.shards.length > 1) {
    const weightMap: Record<string, string> = {};
    const byName = plan.shards.flatMap(({ file, names }) => names.map((name) => [name, file] as const));
    for (const [name, file] of byName.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) weightMap[name] = file;
    const index = { metadata: { total_size: plan.totalSize }, weight_map: weightMap };
    await fs.writeFile(join(dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
    written.push(INDEX_FILE);
  }
  await removeStaleWeightFiles(dir, written);
  return written;
}

/** Weight files of an earlier save that this one did not write; left in place they would be loaded instead. */
async function removeStaleWeightFiles(dir: string, written: string[]): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    const isWeightFile = name === SINGLE_FILE || name === INDEX_FILE || SHARD_FILE.test(name);
    if (isWeightFile && !written.includes(name)) await fs.rm(join(dir, name), { force: true });
  }
}
