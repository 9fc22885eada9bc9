import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { HostTensor } from '../../runtime/graph/dtype';
import type { Gpt2Config } from '../config';
import { loadCheckpoint, writeCheckpoint } from './checkpoint';
import { encodeBF16, encodeF16 } from './float-conversion';
import { toHfConfig } from './hf-config';
import { parseSafetensors, RawTensor, serializeSafetensors } from './safetensors';
import { byteView } from './tensor-data';
import { randomWeights, TINY_GPT2, TINY_LLAMA, withTempDir } from './tiny-checkpoints';

/** Checkpoints written by PyTorch (test/fixtures/models/README.md). */
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'models');
const fixture = (name: string) => join(FIXTURES, name);

const bytesOf = (path: string) => readFileSync(path);
const floats = (t: HostTensor) => t.data as Float32Array;

function writeJson(path: string, json: unknown): void {
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** A checkpoint directory with the given raw tensors in one model.safetensors. */
function writeRawCheckpoint(dir: string, configJson: object, tensors: Map<string, RawTensor>): void {
  writeJson(join(dir, 'config.json'), configJson);
  writeFileSync(join(dir, 'model.safetensors'), serializeSafetensors({ metadata: new Map([['format', 'pt']]), tensors }));
}

function rawF32(weights: Map<string, HostTensor>): Map<string, RawTensor> {
  return new Map([...weights].map(([name, t]) => [name, { dtype: 'F32', shape: t.shape, bytes: byteView(t.data) }]));
}

describe('loadCheckpoint on PyTorch-written checkpoints', () => {
  it.each([
    ['tiny-gpt2', 'gpt2', 'float32', 28],
    ['tiny-llama', 'llama', 'float32', 21],
    ['tiny-qwen2', 'qwen2', 'float32', 26],
    ['tiny-llama-fp16', 'llama', 'float16', 21],
    ['tiny-llama-bf16', 'llama', 'bfloat16', 21],
  ])('loads %s', async (name, modelType, sourceDtype, tensorCount) => {
    const loaded = await loadCheckpoint(fixture(name));
    expect(loaded.config.modelType).toBe(modelType);
    expect(loaded.sourceDtype).toBe(sourceDtype);
    expect(loaded.weights.size).toBe(tensorCount);
    for (const tensor of loaded.weights.values()) expect(tensor.dtype).toBe('float32');
    expect(loaded.rawConfig).toEqual(JSON.parse(readFileSync(join(fixture(name), 'config.json'), 'utf8')));
  });

  it('decodes fp16/bf16 weights to exactly what rounding the fp32 weights gives (torch rounds as ked does)', async () => {
    const fp32 = await loadCheckpoint(fixture('tiny-llama'));
    const fp16 = await loadCheckpoint(fixture('tiny-llama-fp16'));
    const bf16 = await loadCheckpoint(fixture('tiny-llama-bf16'));
    for (const [name, tensor] of fp32.weights) {
      expect(encodeF16(floats(fp16.weights.get(name)!))).toEqual(encodeF16(floats(tensor)));
      expect(encodeBF16(floats(bf16.weights.get(name)!))).toEqual(encodeBF16(floats(tensor)));
    }
  });

  it.each([
    ['tiny-gpt2', 'float32'],
    ['tiny-qwen2', 'float32'],
    ['tiny-llama-fp16', 'float16'],
    ['tiny-llama-bf16', 'bfloat16'],
  ] as const)('writes %s back with model.safetensors unchanged, byte for byte', async (name, dtype) => {
    const loaded = await loadCheckpoint(fixture(name));
    await withTempDir(async (dir) => {
      await writeCheckpoint(dir, { ...loaded, dtype });
      expect(bytesOf(join(dir, 'model.safetensors'))).toEqual(bytesOf(join(fixture(name), 'model.safetensors')));
      expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(loaded.rawConfig);
    });
  });
});

describe('ked-written checkpoints', () => {
  it.each([
    ['gpt2', TINY_GPT2, undefined],
    ['llama', TINY_LLAMA, undefined],
    ['llama, sharded', TINY_LLAMA, 700],
  ] as const)('round-trip bit-identically: write → load → write (%s, fp32)', async (_, config, maxShardSize) => {
    await withTempDir(async (root) => {
      const first = join(root, 'first');
      const second = join(root, 'second');
      const written = await writeCheckpoint(first, { config, weights: randomWeights(config), dtype: 'float32', maxShardSize });
      const loaded = await loadCheckpoint(first);
      expect(loaded.config).toEqual(config);
      await writeCheckpoint(second, { ...loaded, dtype: 'float32', maxShardSize });
      expect(readdirSync(second).sort()).toEqual([...written].sort());
      for (const file of written) expect(bytesOf(join(second, file))).toEqual(bytesOf(join(first, file)));
      if (maxShardSize) expect(written.filter((f) => f.startsWith('model-')).length).toBeGreaterThan(1);
    });
  });

  it('keeps the loaded values exactly, and F32 tensors as views of the file data', async () => {
    const weights = randomWeights(TINY_LLAMA, 3);
    await withTempDir(async (dir) => {
      await writeCheckpoint(dir, { config: TINY_LLAMA, weights, dtype: 'float32' });
      const loaded = await loadCheckpoint(dir);
      for (const [name, tensor] of weights) expect(loaded.weights.get(name)).toEqual(tensor);
      const buffers = new Set([...loaded.weights.values()].map((t) => t.data.buffer));
      expect(buffers.size).toBe(1);
    });
  });

  it('stores float16 / bfloat16 rounded to nearest even and reports the source dtype', async () => {
    const weights = randomWeights(TINY_GPT2, 5);
    await withTempDir(async (dir) => {
      await writeCheckpoint(dir, { config: TINY_GPT2, weights, dtype: 'bfloat16' });
      const loaded = await loadCheckpoint(dir);
      expect(loaded.sourceDtype).toBe('bfloat16');
      expect((loaded.rawConfig as Record<string, unknown>).torch_dtype).toBe('bfloat16');
      const wte = floats(weights.get('wte.weight')!);
      expect(encodeBF16(floats(loaded.weights.get('wte.weight')!))).toEqual(encodeBF16(wte));
      expect(Math.max(...floats(loaded.weights.get('wte.weight')!).map((v, i) => Math.abs(v - wte[i])))).toBeLessThan(0.02);
    });
  });

  it('keeps unknown config fields and copies tokenizer files', async () => {
    await withTempDir(async (root) => {
      const source = join(root, 'source');
      await writeCheckpoint(source, { config: TINY_GPT2, weights: randomWeights(TINY_GPT2), dtype: 'float32' });
      writeJson(join(source, 'tokenizer.json'), { model: {} });
      writeJson(join(source, 'generation_config.json'), { eos_token_id: 10 });
      const rawConfig = { ...toHfConfig(TINY_GPT2), summary_type: 'cls_index' };
      const written = await writeCheckpoint(join(root, 'copy'), { config: TINY_GPT2, weights: randomWeights(TINY_GPT2), dtype: 'float16', rawConfig, tokenizerFrom: source });
      expect(written).toEqual(['model.safetensors', 'config.json', 'tokenizer.json', 'generation_config.json']);
      const config = JSON.parse(readFileSync(join(root, 'copy', 'config.json'), 'utf8'));
      expect(config).toMatchObject({ summary_type: 'cls_index', torch_dtype: 'float16', n_embd: 4 });
    });
  });

  it('reads sharded checkpoints as HF writes them', async () => {
    await withTempDir(async (root) => {
      const loaded = await loadCheckpoint(fixture('tiny-llama'));
      // Split the PyTorch-written file by hand into two shards plus an index.
      const original = parseSafetensors(bytesOf(join(fixture('tiny-llama'), 'model.safetensors')));
      const names = [...original.tensors.keys()];
      const files = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
      const halves = [names.slice(0, 7), names.slice(7)];
      halves.forEach((part, i) => {
        const tensors = new Map(part.map((n) => [n, original.tensors.get(n)!]));
        writeFileSync(join(root, files[i]), serializeSafetensors({ metadata: original.metadata, tensors }));
      });
      const weightMap = Object.fromEntries(halves.flatMap((part, i) => part.map((n) => [n, files[i]])));
      writeJson(join(root, 'model.safetensors.index.json'), { metadata: { total_size: 1 }, weight_map: weightMap });
      copyFileSync(join(fixture('tiny-llama'), 'config.json'), join(root, 'config.json'));
      const sharded = await loadCheckpoint(root);
      expect(sharded.weights).toEqual(loaded.weights);
      expect([...sharded.weights.keys()]).toEqual([...loaded.weights.keys()]);

      // An index that disagrees with its shards is reported, naming the tensor and the file.
      writeJson(join(root, 'model.safetensors.index.json'), { weight_map: { ...weightMap, 'model.norm.weight': files[0] } });
      await expect(loadCheckpoint(root)).rejects.toThrow(
        `${join(root, files[1])}: tensor "model.norm.weight" is not mapped to this file by model.safetensors.index.json`,
      );
    });
  });
});

describe('GPT-2 name normalisation', () => {
  it('accepts the transformer. prefix, attention buffers and a tied lm_head copy', async () => {
    const weights = randomWeights(TINY_GPT2);
    const tensors = new Map<string, RawTensor>([...rawF32(weights)].map(([name, t]) => [`transformer.${name}`, t]));
    tensors.set('transformer.h.0.attn.bias', { dtype: 'F32', shape: [1, 1, 8, 8], bytes: new Uint8Array(256) });
    tensors.set('transformer.h.0.attn.masked_bias', { dtype: 'F32', shape: [], bytes: new Uint8Array(4) });
    tensors.set('lm_head.weight', rawF32(weights).get('wte.weight')!);
    await withTempDir(async (dir) => {
      writeRawCheckpoint(dir, toHfConfig(TINY_GPT2), tensors);
      const loaded = await loadCheckpoint(dir);
      expect([...loaded.weights.keys()]).toEqual([...weights.keys()]);
      expect(loaded.weights.get('h.1.mlp.c_fc.weight')).toEqual(weights.get('h.1.mlp.c_fc.weight'));

      tensors.set('lm_head.weight', { dtype: 'F32', shape: [4, 11], bytes: new Uint8Array(176) });
      writeRawCheckpoint(dir, toHfConfig(TINY_GPT2), tensors);
      await expect(loadCheckpoint(dir)).rejects.toThrow(
        `${join(dir, 'model.safetensors')}: tensor "lm_head.weight" has shape [4, 11], expected [11, 4] (tied to wte.weight)`,
      );
    });
  });
});

describe('malformed checkpoints fail naming the tensor, the shapes and the file', () => {
  const config: Gpt2Config = TINY_GPT2;

  async function loadWith(edit: (tensors: Map<string, RawTensor>) => void, configJson: object = toHfConfig(config)): Promise<string> {
    return withTempDir(async (dir) => {
      const tensors = rawF32(randomWeights(config));
      edit(tensors);
      writeRawCheckpoint(dir, configJson, tensors);
      const error = await loadCheckpoint(dir).then(
        () => new Error('loaded'),
        (e: Error) => e,
      );
      return error.message.split(dir).join('<dir>');
    });
  }

  it('a missing tensor', async () => {
    expect(await loadWith((t) => t.delete('h.1.ln_2.bias'))).toBe(
      '<dir>/model.safetensors: missing tensor "h.1.ln_2.bias" (expected shape [4] for a gpt2 with 2 layers, d_model 4, vocab 11)',
    );
  });

  it('a tensor of the wrong shape', async () => {
    expect(await loadWith((t) => (t.get('h.0.attn.c_attn.weight')!.shape = [12, 4]))).toBe(
      '<dir>/model.safetensors: tensor "h.0.attn.c_attn.weight" has shape [12, 4], expected [4, 12] for a gpt2 with 2 layers, d_model 4, vocab 11',
    );
  });

  it('an unknown tensor', async () => {
    expect(await loadWith((t) => t.set('h.2.ln_1.weight', t.get('h.1.ln_1.weight')!))).toBe(
      '<dir>/model.safetensors: unexpected tensor "h.2.ln_1.weight" [4]: not part of a gpt2 with 2 layers, d_model 4, vocab 11',
    );
  });

  it('a non-float tensor', async () => {
    expect(await loadWith((t) => (t.get('ln_f.bias')!.dtype = 'I32'))).toBe('<dir>/model.safetensors: tensor "ln_f.bias" has dtype I32; weights must be F32, F16, BF16 or F64');
  });

  it('several problems at once, listed together', async () => {
    const message = await loadWith((t) => {
      t.delete('wpe.weight');
      t.delete('ln_f.weight');
    });
    expect(message).toBe(
      '<dir> does not hold the weights its config.json describes: 2 problems\n' +
        '  - <dir>/model.safetensors: missing tensor "wpe.weight" (expected shape [8, 4] for a gpt2 with 2 layers, d_model 4, vocab 11)\n' +
        '  - <dir>/model.safetensors: missing tensor "ln_f.weight" (expected shape [4] for a gpt2 with 2 layers, d_model 4, vocab 11)',
    );
  });

  it('an unknown model_type or a bad field', async () => {
    expect(await loadWith(() => undefined, { ...toHfConfig(config), model_type: 'bert' })).toBe(
      '<dir>/config.json: unknown model_type "bert" (supported: gpt2, llama, qwen2, mistral)',
    );
    expect(await loadWith(() => undefined, { ...toHfConfig(config), n_embd: 'abc' })).toBe('<dir>/config.json: "n_embd" must be a positive integer (got "abc")');
  });

  it('a directory without config.json or weights', async () => {
    await withTempDir(async (dir) => {
      await expect(loadCheckpoint(dir)).rejects.toThrow(`${dir}: no config.json (not a Hugging Face checkpoint directory)`);
      writeJson(join(dir, 'config.json'), toHfConfig(config));
      await expect(loadCheckpoint(dir)).rejects.toThrow(`${dir}: neither model.safetensors nor model.safetensors.index.json`);
    });
  });

  it('refuses to write weights that do not match the config', async () => {
    const weights = randomWeights(config);
    weights.delete('wte.weight');
    weights.set('h.0.ln_1.bias', { dtype: 'float32', shape: [5], data: new Float32Array(5) });
    weights.set('extra', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    await withTempDir(async (dir) => {
      await expect(writeCheckpoint(join(dir, 'out'), { config, weights, dtype: 'float32' })).rejects.toThrow(
        /missing tensor "wte.weight" \(expected shape \[11, 4\]\)\n.*tensor "h.0.ln_1.bias" has shape \[5\], expected \[4\]\n.*unexpected tensor "extra" \[1\] for a gpt2 model/,
      );
    });
  });
});
