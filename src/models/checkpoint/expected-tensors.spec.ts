import type { LlamaConfig } from '../config';
import { classifyCheckpointName, expectedTensorShapes } from './expected-tensors';
import { TINY_GPT2, TINY_LLAMA } from './tiny-checkpoints';

describe('expectedTensorShapes', () => {
  it('lists GPT-2 tensors with Conv1D [in, out] weights, in module order', () => {
    const shapes = expectedTensorShapes(TINY_GPT2);
    expect([...shapes].slice(0, 14)).toEqual([
      ['wte.weight', [11, 4]],
      ['wpe.weight', [8, 4]],
      ['h.0.ln_1.weight', [4]],
      ['h.0.ln_1.bias', [4]],
      ['h.0.attn.c_attn.weight', [4, 12]],
      ['h.0.attn.c_attn.bias', [12]],
      ['h.0.attn.c_proj.weight', [4, 4]],
      ['h.0.attn.c_proj.bias', [4]],
      ['h.0.ln_2.weight', [4]],
      ['h.0.ln_2.bias', [4]],
      ['h.0.mlp.c_fc.weight', [4, 16]],
      ['h.0.mlp.c_fc.bias', [16]],
      ['h.0.mlp.c_proj.weight', [16, 4]],
      ['h.0.mlp.c_proj.bias', [4]],
    ]);
    expect([...shapes.keys()].slice(-2)).toEqual(['ln_f.weight', 'ln_f.bias']);
    expect(shapes.size).toBe(2 + 2 * 12 + 2);
    expect(expectedTensorShapes({ ...TINY_GPT2, tieWordEmbeddings: false }).get('lm_head.weight')).toEqual([11, 4]);
  });

  it('lists Llama tensors with nn.Linear [out, in] weights and grouped k/v', () => {
    const shapes = expectedTensorShapes(TINY_LLAMA);
    expect([...shapes].slice(0, 11)).toEqual([
      ['model.embed_tokens.weight', [13, 8]],
      ['model.layers.0.input_layernorm.weight', [8]],
      ['model.layers.0.self_attn.q_proj.weight', [8, 8]], // 4 heads × head_dim 2
      ['model.layers.0.self_attn.k_proj.weight', [4, 8]], // 2 kv heads × 2
      ['model.layers.0.self_attn.v_proj.weight', [4, 8]],
      ['model.layers.0.self_attn.o_proj.weight', [8, 8]],
      ['model.layers.0.post_attention_layernorm.weight', [8]],
      ['model.layers.0.mlp.gate_proj.weight', [12, 8]],
      ['model.layers.0.mlp.up_proj.weight', [12, 8]],
      ['model.layers.0.mlp.down_proj.weight', [8, 12]],
      ['model.layers.1.input_layernorm.weight', [8]],
    ]);
    expect([...shapes.keys()].slice(-2)).toEqual(['model.norm.weight', 'lm_head.weight']);
    expect(expectedTensorShapes({ ...TINY_LLAMA, tieWordEmbeddings: true }).has('lm_head.weight')).toBe(false);
  });

  it('adds biases: q/k/v for qwen2, q/k/v/o for llama attention_bias, gate/up/down for mlp_bias', () => {
    const qwen2: LlamaConfig = { ...TINY_LLAMA, modelType: 'qwen2', attentionBias: true };
    const biases = (config: LlamaConfig) => [...expectedTensorShapes(config)].filter(([n]) => n.startsWith('model.layers.0.') && n.endsWith('.bias'));
    expect(biases(qwen2)).toEqual([
      ['model.layers.0.self_attn.q_proj.bias', [8]],
      ['model.layers.0.self_attn.k_proj.bias', [4]],
      ['model.layers.0.self_attn.v_proj.bias', [4]],
    ]);
    expect(biases({ ...TINY_LLAMA, attentionBias: true }).map(([n]) => n.split('.').slice(-2)[0])).toEqual(['q_proj', 'k_proj', 'v_proj', 'o_proj']);
    expect(biases({ ...TINY_LLAMA, mlpBias: true })).toEqual([
      ['model.layers.0.mlp.gate_proj.bias', [12]],
      ['model.layers.0.mlp.up_proj.bias', [12]],
      ['model.layers.0.mlp.down_proj.bias', [8]],
    ]);
  });
});

describe('classifyCheckpointName', () => {
  const gpt2 = expectedTensorShapes(TINY_GPT2);
  const llama = expectedTensorShapes(TINY_LLAMA);

  it('normalises GPT-2 names and drops its buffers', () => {
    expect(classifyCheckpointName(TINY_GPT2, 'transformer.h.1.mlp.c_fc.bias', gpt2)).toEqual({ kind: 'tensor', name: 'h.1.mlp.c_fc.bias' });
    expect(classifyCheckpointName(TINY_GPT2, 'wte.weight', gpt2)).toEqual({ kind: 'tensor', name: 'wte.weight' });
    expect(classifyCheckpointName(TINY_GPT2, 'transformer.h.0.attn.bias', gpt2).kind).toBe('ignored');
    expect(classifyCheckpointName(TINY_GPT2, 'h.0.attn.masked_bias', gpt2).kind).toBe('ignored');
    expect(classifyCheckpointName(TINY_GPT2, 'lm_head.weight', gpt2)).toMatchObject({ kind: 'ignored', reason: 'tied to the embedding' });
    expect(classifyCheckpointName(TINY_GPT2, 'h.2.ln_1.weight', gpt2)).toEqual({ kind: 'unknown', name: 'h.2.ln_1.weight' });
  });

  it('normalises Llama base-model names and drops rotary buffers', () => {
    expect(classifyCheckpointName(TINY_LLAMA, 'layers.0.mlp.up_proj.weight', llama)).toEqual({ kind: 'tensor', name: 'model.layers.0.mlp.up_proj.weight' });
    expect(classifyCheckpointName(TINY_LLAMA, 'model.layers.1.self_attn.rotary_emb.inv_freq', llama).kind).toBe('ignored');
    expect(classifyCheckpointName(TINY_LLAMA, 'model.layers.0.self_attn.q_proj.bias', llama).kind).toBe('unknown');
  });
});
