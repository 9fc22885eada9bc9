import type { Gpt2Config, LlamaConfig } from '../config';
import { parseHfConfig, toHfConfig } from './hf-config';

/** Field values as in openai-community/gpt2's config.json (abridged). */
const GPT2_JSON = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  vocab_size: 50257,
};

/** Field values as in a Llama-3.2-1B config.json (abridged). */
const LLAMA_JSON = {
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 128000,
  eos_token_id: 128001,
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 128256,
};

/** Field values as in a Qwen2.5-0.5B config.json (abridged): no attention_bias field, yet q/k/v have biases. */
const QWEN2_JSON = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

/** Mistral-7B-v0.1's config.json (abridged). */
const MISTRAL_JSON = {
  architectures: ['MistralForCausalLM'],
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  tie_word_embeddings: false,
  bos_token_id: 1,
  eos_token_id: 2,
  vocab_size: 32000,
};

describe('parseHfConfig', () => {
  it('parses GPT-2 with its defaults (n_inner null → 4·n_embd, tied head)', () => {
    expect(parseHfConfig(GPT2_JSON, 'config.json')).toEqual<Gpt2Config>({
      family: 'gpt2',
      modelType: 'gpt2',
      vocabSize: 50257,
      maxPositions: 1024,
      dModel: 768,
      layers: 12,
      heads: 12,
      dFF: 3072,
      layerNormEps: 1e-5,
      activation: 'gelu_new',
      tieWordEmbeddings: true,
      bosTokenId: 50256,
      eosTokenId: 50256,
    });
    expect(parseHfConfig({ ...GPT2_JSON, n_inner: 100, activation_function: 'gelu_pytorch_tanh' }, 'c').dFF).toBe(100);
  });

  it('parses Llama with GQA, head_dim and llama3 rope scaling', () => {
    expect(parseHfConfig(LLAMA_JSON, 'config.json')).toEqual<LlamaConfig>({
      family: 'llama',
      modelType: 'llama',
      vocabSize: 128256,
      maxPositions: 131072,
      dModel: 2048,
      layers: 16,
      heads: 32,
      kvHeads: 8,
      headDim: 64,
      dFF: 8192,
      rmsNormEps: 1e-5,
      ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      attentionBias: false,
      mlpBias: false,
      activation: 'silu',
      tieWordEmbeddings: true,
      bosTokenId: 128000,
      eosTokenId: 128001,
    });
  });

  it('gives qwen2 q/k/v biases and mistral none, with llama defaults otherwise', () => {
    const qwen2 = parseHfConfig(QWEN2_JSON, 'config.json') as LlamaConfig;
    expect(qwen2).toMatchObject({ modelType: 'qwen2', attentionBias: true, mlpBias: false, headDim: 64, kvHeads: 2, ropeTheta: 1e6, tieWordEmbeddings: true });
    expect(qwen2.ropeScaling).toBeUndefined();
    const mistral = parseHfConfig(MISTRAL_JSON, 'config.json') as LlamaConfig;
    expect(mistral).toMatchObject({ family: 'llama', modelType: 'mistral', attentionBias: false, headDim: 128, kvHeads: 8, tieWordEmbeddings: false });
    const minimal = parseHfConfig(
      { model_type: 'llama', vocab_size: 32, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 64 },
      'c',
    );
    expect(minimal).toMatchObject({ kvHeads: 2, headDim: 4, rmsNormEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, attentionBias: false });
  });

  it('accepts transformers 5 rope_parameters and a list of eos ids', () => {
    const config = parseHfConfig(
      { ...LLAMA_JSON, rope_theta: undefined, rope_scaling: undefined, rope_parameters: { rope_type: 'linear', factor: 2, rope_theta: 1234 }, eos_token_id: [1, 2] },
      'c',
    ) as LlamaConfig;
    expect(config.ropeTheta).toBe(1234);
    expect(config.ropeScaling).toEqual({ type: 'linear', factor: 2 });
    expect(config.eosTokenId).toEqual([1, 2]);
  });

  it.each([
    ['config.json: "n_embd" must be a positive integer (got "abc")', { ...GPT2_JSON, n_embd: 'abc' }],
    ['config.json: "n_layer" must be a positive integer (missing)', { ...GPT2_JSON, n_layer: undefined }],
    ['config.json: "n_head" must be a divisor of n_embd (768) (got 5)', { ...GPT2_JSON, n_head: 5 }],
    ['config.json: "activation_function" must be one of "gelu_new", "gelu", "relu" (got "swish")', { ...GPT2_JSON, activation_function: 'swish' }],
    ['config.json: "tie_word_embeddings" must be true or false (got "yes")', { ...GPT2_JSON, tie_word_embeddings: 'yes' }],
    ['config.json: "eos_token_id" must be a token id or a list of token ids (got -1)', { ...GPT2_JSON, eos_token_id: -1 }],
    ['config.json: unknown model_type "bert" (supported: gpt2, llama, qwen2, mistral)', { ...GPT2_JSON, model_type: 'bert' }],
    ['config.json: "model_type" is missing (supported: gpt2, llama, qwen2, mistral)', { ...GPT2_JSON, model_type: undefined }],
    ['config.json: "num_key_value_heads" must be a divisor of num_attention_heads (32) (got 5)', { ...LLAMA_JSON, num_key_value_heads: 5 }],
    ['config.json: "hidden_act" must be "silu" (ked runs SwiGLU MLPs only) (got "gelu")', { ...LLAMA_JSON, hidden_act: 'gelu' }],
    ['config.json: "rms_norm_eps" must be a positive number (got 0)', { ...LLAMA_JSON, rms_norm_eps: 0 }],
    ['config.json: "rope_scaling.factor" must be a positive number (missing)', { ...LLAMA_JSON, rope_scaling: { rope_type: 'linear' } }],
    ['config.json: expected a JSON object', [1, 2]],
  ])('names the field: %s', (message, json) => {
    expect(() => parseHfConfig(json, 'config.json')).toThrow(message);
  });
});

describe('toHfConfig', () => {
  it.each([
    ['gpt2', GPT2_JSON],
    ['llama', LLAMA_JSON],
    ['qwen2', QWEN2_JSON],
    ['mistral', MISTRAL_JSON],
  ])('writes a %s config that parses back to the same ModelConfig', (_, json) => {
    const config = parseHfConfig(json, 'c');
    const written = toHfConfig(config);
    expect(parseHfConfig(written, 'written')).toEqual(config);
    expect(Object.keys(written)).toEqual([...Object.keys(written)].sort()); // as transformers writes: sorted keys
    expect(written.architectures).toEqual(json.architectures);
  });

  it('leaves an original config untouched when nothing changed, unknown fields and key order included', () => {
    const original = { zeta: 1, ...GPT2_JSON, activation_function: 'gelu_pytorch_tanh', custom: { kept: true } };
    const written = toHfConfig(parseHfConfig(original, 'c'), original);
    expect(written).toEqual(original);
    expect(Object.keys(written)).toEqual(Object.keys(original));
    expect(written).not.toBe(original);
  });

  it('rewrites only changed fields, spelling out ones that were implied', () => {
    const original = { ...GPT2_JSON, n_inner: null, custom: 'kept' };
    const config = { ...(parseHfConfig(original, 'c') as Gpt2Config), dModel: 64, heads: 4 };
    const written = toHfConfig(config, original);
    // n_inner was null (= 4·n_embd = 3072); with n_embd now 64 it must be written as 3072 to keep dFF.
    expect(written).toMatchObject({ n_embd: 64, n_head: 4, n_inner: 3072, custom: 'kept', n_ctx: 1024 });
    expect(parseHfConfig(written, 'w')).toEqual(config);
  });

  it('records the stored dtype under the key the original uses', () => {
    expect(toHfConfig(parseHfConfig(LLAMA_JSON, 'c'), LLAMA_JSON, { torchDtype: 'float32' }).torch_dtype).toBe('float32');
    const v5 = { ...QWEN2_JSON, dtype: 'bfloat16' };
    const written = toHfConfig(parseHfConfig(v5, 'c'), v5, { torchDtype: 'float16' });
    expect([written.dtype, written.torch_dtype]).toEqual(['float16', undefined]);
    expect(toHfConfig(parseHfConfig(GPT2_JSON, 'c'), undefined, { torchDtype: 'bfloat16' }).torch_dtype).toBe('bfloat16');
  });

  it('writes rope changes into rope_parameters when the original has them', () => {
    const original = { ...LLAMA_JSON, rope_theta: undefined, rope_scaling: undefined, rope_parameters: { rope_type: 'default', rope_theta: 10000 } };
    const config = { ...(parseHfConfig(original, 'c') as LlamaConfig), ropeTheta: 20000, ropeScaling: { type: 'linear', factor: 4 } };
    const written = toHfConfig(config, original);
    expect(written.rope_parameters).toEqual({ rope_theta: 20000, rope_type: 'linear', factor: 4 });
    expect(parseHfConfig(written, 'w')).toEqual(config);
  });

  it('refuses what a model type cannot express', () => {
    const qwen2 = parseHfConfig(QWEN2_JSON, 'c') as LlamaConfig;
    expect(() => toHfConfig({ ...qwen2, attentionBias: false })).toThrow('a qwen2 config cannot have attentionBias false');
    expect(() => toHfConfig(qwen2, GPT2_JSON)).toThrow('cannot write a qwen2 config over an original config.json with model_type "gpt2"');
  });
});
