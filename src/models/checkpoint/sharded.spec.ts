import { readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { RawTensor, readSafetensorsFile } from './safetensors';
import { INDEX_FILE, parseByteSize, parseShardIndex, planShards, writeShardedSafetensors } from './sharded';
import { withTempDir } from './tiny-checkpoints';

const sizes = (...bytes: number[]) => bytes.map((byteLength, i) => ({ name: `t${i}`, byteLength }));

describe('planShards (huggingface_hub split)', () => {
  it('starts a new shard when the next tensor would overflow', () => {
    const plan = planShards(sizes(40, 50, 20, 60, 30), 100);
    expect(plan.shards).toEqual([
      { file: 'model-00001-of-00003.safetensors', names: ['t0', 't1'] },
      { file: 'model-00002-of-00003.safetensors', names: ['t2', 't3'] },
      { file: 'model-00003-of-00003.safetensors', names: ['t4'] },
    ]);
    expect(plan.totalSize).toBe(200);
  });

  it('puts a tensor larger than the limit alone in its own shard, without closing the current one', () => {
    expect(planShards(sizes(30, 500, 40), 100).shards.map((s) => s.names)).toEqual([['t1'], ['t0', 't2']]);
  });

  it('names a single shard model.safetensors', () => {
    expect(planShards(sizes(1, 2, 3), Infinity).shards).toEqual([{ file: 'model.safetensors', names: ['t0', 't1', 't2'] }]);
  });
});

describe('parseByteSize', () => {
  it('reads HF-style sizes', () => {
    expect([parseByteSize('5GB'), parseByteSize('2GiB'), parseByteSize('500kB'), parseByteSize(' 1.5MB '), parseByteSize(42)]).toEqual([5e9, 2 ** 31, 5e5, 1.5e6, 42]);
    expect(() => parseByteSize('lots')).toThrow('not a size: "lots"');
  });
});

describe('parseShardIndex', () => {
  it('reads the weight map and the files in order', () => {
    const index = parseShardIndex({ metadata: { total_size: 12 }, weight_map: { b: 'model-00002-of-00002.safetensors', a: 'model-00001-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' } }, 'i');
    expect(index.metadata).toEqual({ total_size: 12 });
    expect(index.files).toEqual(['model-00002-of-00002.safetensors', 'model-00001-of-00002.safetensors']);
    expect(index.weightMap.get('a')).toBe('model-00001-of-00002.safetensors');
  });

  it.each([
    [{ weight_map: { a: '../secrets.safetensors' } }, 'i: "weight_map"."a" must be a file name in the same directory (got "../secrets.safetensors")'],
    [{ weight_map: { a: 3 } }, '"weight_map"."a" must be a file name in the same directory (got 3)'],
    [{ metadata: {} }, 'i: "weight_map" must be an object of tensor name → file name'],
  ])('refuses %j', (json, message) => {
    expect(() => parseShardIndex(json, 'i')).toThrow(message);
  });
});

describe('writeShardedSafetensors', () => {
  const tensors = new Map<string, RawTensor>(
    ['w.b', 'w.a', 'w.c'].map((name, i) => [name, { dtype: 'F32', shape: [4], bytes: new Uint8Array(16).fill(i + 1) }]),
  );
  const metadata = new Map([['format', 'pt']]);

  it('writes shards and an index formatted as transformers formats it', async () => {
    await withTempDir(async (dir) => {
      const written = await writeShardedSafetensors(dir, tensors, { maxShardBytes: 32, metadata });
      expect(written).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', INDEX_FILE]);
      expect(readFileSync(join(dir, INDEX_FILE), 'utf8')).toBe(
        '{\n  "metadata": {\n    "total_size": 48\n  },\n  "weight_map": {\n' +
          '    "w.a": "model-00001-of-00002.safetensors",\n' +
          '    "w.b": "model-00001-of-00002.safetensors",\n' +
          '    "w.c": "model-00002-of-00002.safetensors"\n  }\n}\n',
      );
      const first = await readSafetensorsFile(join(dir, 'model-00001-of-00002.safetensors'));
      expect([...first.tensors.keys()]).toEqual(['w.a', 'w.b']);
      expect(first.metadata).toEqual(metadata);
    });
  });

  it('removes weight files of an earlier save that would shadow or confuse this one', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'model-00001-of-00009.safetensors'), 'old');
      writeFileSync(join(dir, 'notes.txt'), 'kept');
      await writeShardedSafetensors(dir, tensors, { maxShardBytes: 32, metadata });
      await writeShardedSafetensors(dir, tensors, { maxShardBytes: Infinity, metadata });
      expect(readdirSync(dir).sort()).toEqual(['model.safetensors', 'notes.txt']);
    });
  });
});
