/**
 * Model configurations as ked uses them, parsed from a Hugging Face `config.json`
 * (src/models/checkpoint/hf-config.ts). Field names are ked's; each notes its HF source.
 */

export type ModelFamily = 'gpt2' | 'llama';

/** GPT-2 (model_type "gpt2"): LayerNorm, GELU (tanh), learned positions, tied LM head. */
export interface Gpt2Config {
  family: 'gpt2';
  modelType: 'gpt2';
  vocabSize: number; // vocab_size
  maxPositions: number; // n_positions
  dModel: number; // n_embd
  layers: number; // n_layer
  heads: number; // n_head
  dFF: number; // n_inner ?? 4 * n_embd
  layerNormEps: number; // layer_norm_epsilon
  activation: 'gelu_new' | 'gelu' | 'relu'; // activation_function
  tieWordEmbeddings: boolean; // tie_word_embeddings (default true)
  bosTokenId?: number; // bos_token_id
  eosTokenId?: number | number[]; // eos_token_id
}

/**
 * The Llama family (model_type "llama", "qwen2", "mistral"): RMSNorm, RoPE, SwiGLU MLP,
 * grouped-query attention, untied LM head unless tie_word_embeddings.
 */
export interface LlamaConfig {
  family: 'llama';
  modelType: 'llama' | 'qwen2' | 'mistral';
  vocabSize: number; // vocab_size
  maxPositions: number; // max_position_embeddings
  dModel: number; // hidden_size
  layers: number; // num_hidden_layers
  heads: number; // num_attention_heads
  kvHeads: number; // num_key_value_heads ?? num_attention_heads
  headDim: number; // head_dim ?? hidden_size / num_attention_heads
  dFF: number; // intermediate_size
  rmsNormEps: number; // rms_norm_eps
  ropeTheta: number; // rope_theta (default 10000)
  /** rope_scaling, when present; only "linear" and "llama3" types are applied. */
  ropeScaling?: { type: string; factor: number; lowFreqFactor?: number; highFreqFactor?: number; originalMaxPositions?: number };
  attentionBias: boolean; // attention_bias (qwen2: q/k/v have biases)
  mlpBias: boolean; // mlp_bias
  activation: 'silu'; // hidden_act
  tieWordEmbeddings: boolean; // tie_word_embeddings (default false)
  bosTokenId?: number;
  eosTokenId?: number | number[];
}

export type ModelConfig = Gpt2Config | LlamaConfig;
