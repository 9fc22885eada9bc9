/**
 * The tensors a Hugging Face checkpoint of each family holds, by their HF names and shapes, in
 * module order (the order transformers' state_dict lists them, which decides how shards split).
 * GPT-2 uses Conv1D ([in, out]) weights; the Llama family nn.Linear ([out, in]).
 */
import type { Gpt2Config, LlamaConfig, ModelConfig } from '../config';

export function expectedTensorShapes(config: ModelConfig): Map<string, number[]> {
  return config.family === 'gpt2' ? gpt2Tensors(config) : llamaTensors(config);
}

function gpt2Tensors(c: Gpt2Config): Map<string, number[]> {
  const d = c.dModel;
  const t = new Map<string, number[]>([
    ['wte.weight', [c.vocabSize, d]],
    ['wpe.weight', [c.maxPositions, d]],
  ]);
  for (let i = 0; i < c.layers; i++) {
    const p = `h.${i}.`;
    t.set(`${p}ln_1.weight`, [d]).set(`${p}ln_1.bias`, [d]);
    t.set(`${p}attn.c_attn.weight`, [d, 3 * d]).set(`${p}attn.c_attn.bias`, [3 * d]);
    t.set(`${p}attn.c_proj.weight`, [d, d]).set(`${p}attn.c_proj.bias`, [d]);
    t.set(`${p}ln_2.weight`, [d]).set(`${p}ln_2.bias`, [d]);
    t.set(`${p}mlp.c_fc.weight`, [d, c.dFF]).set(`${p}mlp.c_fc.bias`, [c.dFF]);
    t.set(`${p}mlp.c_proj.weight`, [c.dFF, d]).set(`${p}mlp.c_proj.bias`, [d]);
  }
  t.set('ln_f.weight', [d]).set('ln_f.bias', [d]);
  if (!c.tieWordEmbeddings) t.set('lm_head.weight', [c.vocabSize, d]);
  return t;
}

function llamaTensors(c: LlamaConfig): Map<string, number[]> {
  const d = c.dModel;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  // Llama's attention_bias puts a bias on o_proj too; Qwen2 has q/k/v biases only.
  const oProjBias = c.attentionBias && c.modelType === 'llama';
  const t = new Map<string, number[]>([['model.embed_tokens.weight', [c.vocabSize, d]]]);
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    t.set(`${p}input_layernorm.weight`, [d]);
    for (const [name, rows] of [['q_proj', q], ['k_proj', kv], ['v_proj', kv]] as const) {
      t.set(`${p}self_attn.${name}.weight`, [rows, d]);
      if (c.attentionBias) t.set(`${p}self_attn.${name}.bias`, [rows]);
    }
    t.set(`${p}self_attn.o_proj.weight`, [d, q]);
    if (oProjBias) t.set(`${p}self_attn.o_proj.bias`, [d]);
    t.set(`${p}post_attention_layernorm.weight`, [d]);
    for (const [name, shape] of [['gate_proj', [c.dFF, d]], ['up_proj', [c.dFF, d]], ['down_proj', [d, c.dFF]]] as const) {
      t.set(`${p}mlp.${name}.weight`, [...shape]);
      if (c.mlpBias) t.set(`${p}mlp.${name}.bias`, [shape[0]]);
    }
  }
  t.set('model.norm.weight', [d]);
  if (!c.tieWordEmbeddings) t.set('lm_head.weight', [c.vocabSize, d]);
  return t;
}

/** What a name found in a checkpoint file is, once normalised. */
export type CheckpointName =
  | { kind: 'tensor'; name: string }
  /** Not a parameter: a buffer (GPT-2's causal mask, an old rotary inv_freq) or the tied head's copy. */
  | { kind: 'ignored'; name: string; reason: string }
  | { kind: 'unknown'; name: string };

const GPT2_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;
const ROTARY_BUFFER = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/**
 * Normalises a name from a checkpoint file: GPT-2's optional "transformer." prefix (GPT2LMHeadModel
 * saves with it, GPT2Model without) and a Llama base model's missing "model." prefix; drops
 * non-parameter buffers; accepts lm_head.weight of a tied model only as the embedding's copy
 * (same shape; the caller checks that).
 */
export function classifyCheckpointName(config: ModelConfig, fileName: string, expected: Map<string, number[]>): CheckpointName {
  let name = fileName;
  if (config.family === 'gpt2' && name.startsWith('transformer.')) name = name.slice('transformer.'.length);
  if (config.family === 'llama' && !expected.has(name) && expected.has(`model.${name}`)) name = `model.${name}`;
  if (expected.has(name)) return { kind: 'tensor', name };
  if (config.family === 'gpt2' && GPT2_BUFFER.test(name)) return { kind: 'ignored', name, reason: 'attention mask buffer' };
  if (config.family === 'llama' && ROTARY_BUFFER.test(name)) return { kind: 'ignored', name, reason: 'rotary inv_freq buffer' };
  if (name === 'lm_head.weight' && config.tieWordEmbeddings) return { kind: 'ignored', name, reason: 'tied to the embedding' };
  return { kind: 'unknown', name };
}

export function embeddingName(config: ModelConfig): string {
  return config.family === 'gpt2' ? 'wte.weight' : 'model.embed_tokens.weight';
}
