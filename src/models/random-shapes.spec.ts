import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBF16, decodeBF16 } from './checkpoint/float-conversion';
import { expectedTensorShapes } from './checkpoint/expected-tensors';
import { withTempDir } from './checkpoint/tiny-checkpoints';
import { randomShapeConfig, randomShapeWeights, roundThroughBF16 } from './random-shapes';

const tokenizer = { vocabSize: 300, eosTokenId: 7 };

describe('random model shapes', () => {
  it("gives Qwen2-0.5B's shape with the tokenizer's end-of-text token", () => {
    expect(randomShapeConfig('qwen2-0.5b', tokenizer)).toMatchObject({
      family: 'llama',
      modelType: 'qwen2',
      dModel: 896,
      dFF: 4864,
      layers: 24,
      heads: 14,
      kvHeads: 2,
      headDim: 64,
      vocabSize: 151936,
      ropeTheta: 1e6,
      rmsNormEps: 1e-6,
      tieWordEmbeddings: true,
      attentionBias: true,
      eosTokenId: 7,
    });
  });

  it("keeps GPT-2 small's shape, widening the vocabulary to a larger tokenizer's", () => {
    expect(randomShapeConfig('gpt2-small', { vocabSize: 60000, eosTokenId: 1 })).toMatchObject({ family: 'gpt2', dModel: 768, dFF: 3072, layers: 12, heads: 12, vocabSize: 60000, maxPositions: 1024 });
  });

  it('reads a Hugging Face config.json, and names the field a bad one lacks', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ model_type: 'llama', hidden_size: 64, intermediate_size: 160, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 256, max_position_embeddings: 128 }));
      expect(randomShapeConfig(file, tokenizer)).toMatchObject({ modelType: 'llama', dModel: 64, dFF: 160, layers: 2, kvHeads: 2, headDim: 16, vocabSize: 300, tieWordEmbeddings: false });
      writeFileSync(file, JSON.stringify({ model_type: 'qwen2', hidden_size: 64 }));
      expect(() => randomShapeConfig(file, tokenizer)).toThrow(/config\.json: "intermediate_size" must be a positive integer|"num_attention_heads"/);
    });
  });

  it("fills every tensor of the shape, bfloat16 values that survive BF16's round trip unchanged", () => {
    const config = randomShapeConfig('qwen2-0.5b', tokenizer);
    const small = { ...config, dModel: 32, dFF: 48, layers: 2, heads: 4, kvHeads: 2, headDim: 8, vocabSize: 50 };
    const weights = randomShapeWeights(small, 1, 'bfloat16');
    expect([...weights.keys()]).toEqual([...expectedTensorShapes(small).keys()]);
    const q = weights.get('model.layers.0.self_attn.q_proj.weight')!.data as Float32Array;
    expect(decodeBF16(encodeBF16(q))).toEqual(q);
    const std = Math.sqrt(q.reduce((s, x) => s + x * x, 0) / q.length);
    expect(std).toBeGreaterThan(0.015); // N(0, 0.02), as transformers initialises
    expect(std).toBeLessThan(0.025);
    expect(Array.from(weights.get('model.norm.weight')!.data as Float32Array)).toEqual(Array(32).fill(1));
  });

  it('rounds to the nearest bfloat16 in place', () => {
    const data = Float32Array.of(1 + 2 ** -9, 1 + 3 * 2 ** -9, -0.1, 3.14159);
    roundThroughBF16(data);
    expect(Array.from(data)).toEqual([1, 1 + 2 ** -7, -0.10009765625, 3.140625]);
  });
});
