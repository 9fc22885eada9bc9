/**
 * Hugging Face `config.json` ⇄ ked's ModelConfig, for model_type gpt2, llama, qwen2 and mistral.
 * Defaults are transformers' own for fields a config may leave out; the dimensions are required.
 */
import { isDeepStrictEqual } from 'util';
import type { Gpt2Config, LlamaConfig, ModelConfig } from '../config';
import { ConfigFields } from './config-fields';

export const SUPPORTED_MODEL_TYPES = ['gpt2', 'llama', 'qwen2', 'mistral'] as const;

const ARCHITECTURES: Record<ModelConfig['modelType'], string> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  mistral: 'MistralForCausalLM',
};

export function parseHfConfig(json: unknown, source: string): ModelConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${source}: expected a JSON object`);
  const fields = new ConfigFields(json as Record<string, unknown>, source);
  const modelType = fields.json.model_type;
  switch (modelType) {
    case 'gpt2':
      return parseGpt2(fields);
    case 'llama':
    case 'qwen2':
    case 'mistral':
      return parseLlama(fields, modelType);
    default:
      const problem = modelType === undefined ? '"model_type" is missing' : `unknown model_type ${JSON.stringify(modelType)}`;
      throw new Error(`${source}: ${problem} (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  }
}

function parseGpt2(f: ConfigFields): Gpt2Config {
  const dModel = f.positiveInt('n_embd');
  const heads = f.positiveInt('n_head');
  if (dModel % heads !== 0) f.fail('n_head', `a divisor of n_embd (${dModel})`);
  // "gelu_pytorch_tanh" is the same tanh approximation as "gelu_new", computed by a fused kernel.
  const activation =
    f.json.activation_function === 'gelu_pytorch_tanh' ? 'gelu_new' : f.oneOf('activation_function', ['gelu_new', 'gelu', 'relu'], 'gelu_new');
  return {
    family: 'gpt2',
    modelType: 'gpt2',
    vocabSize: f.positiveInt('vocab_size'),
    // Older GPT-2 configs carry the context length as n_ctx as well (or only).
    maxPositions: f.has('n_positions') ? f.positiveInt('n_positions') : f.positiveInt('n_ctx'),
    dModel,
    layers: f.positiveInt('n_layer'),
    heads,
    dFF: f.has('n_inner') ? f.positiveInt('n_inner') : 4 * dModel,
    layerNormEps: f.positiveNumber('layer_norm_epsilon', 1e-5),
    activation,
    tieWordEmbeddings: f.boolean('tie_word_embeddings', true),
    ...tokenIds(f),
  };
}

function parseLlama(f: ConfigFields, modelType: LlamaConfig['modelType']): LlamaConfig {
  const dModel = f.positiveInt('hidden_size');
  const heads = f.positiveInt('num_attention_heads');
  const kvHeads = f.positiveInt('num_key_value_heads', heads);
  if (heads % kvHeads !== 0) f.fail('num_key_value_heads', `a divisor of num_attention_heads (${heads})`);
  if (!f.has('head_dim') && dModel % heads !== 0) f.fail('num_attention_heads', `a divisor of hidden_size (${dModel}) when head_dim is not given`);
  const hiddenAct = f.json.hidden_act ?? 'silu';
  // torch's SiLU is also called swish; ked's Llama MLP is SwiGLU with SiLU only.
  if (hiddenAct !== 'silu' && hiddenAct !== 'swish') f.fail('hidden_act', '"silu" (ked runs SwiGLU MLPs only)');
  return {
    family: 'llama',
    modelType,
    vocabSize: f.positiveInt('vocab_size'),
    maxPositions: f.positiveInt('max_position_embeddings'),
    dModel,
    layers: f.positiveInt('num_hidden_layers'),
    heads,
    kvHeads,
    headDim: f.has('head_dim') ? f.positiveInt('head_dim') : dModel / heads,
    dFF: f.positiveInt('intermediate_size'),
    rmsNormEps: f.positiveNumber('rms_norm_eps', 1e-6),
    ...rope(f),
    // Qwen2 always has q/k/v biases (and no o_proj bias); Mistral never has attention biases.
    attentionBias: modelType === 'qwen2' ? true : modelType === 'mistral' ? false : f.boolean('attention_bias', false),
    mlpBias: modelType === 'llama' ? f.boolean('mlp_bias', false) : false,
    activation: 'silu',
    tieWordEmbeddings: f.boolean('tie_word_embeddings', false),
    ...tokenIds(f),
  };
}

/** rope_theta and rope_scaling (transformers 4.x), or the rope_parameters object that replaced them (5.x). */
function rope(f: ConfigFields): Pick<LlamaConfig, 'ropeTheta' | 'ropeScaling'> {
  const parameters = f.nested('rope_parameters');
  const ropeTheta = parameters?.has('rope_theta') ? parameters.positiveNumber('rope_theta') : f.positiveNumber('rope_theta', 10000);
  const scaling = parameters ?? f.nested('rope_scaling');
  if (!scaling) return { ropeTheta };
  const type = scaling.json.rope_type ?? scaling.json.type;
  if (typeof type !== 'string') return scaling.fail('rope_type', 'a string such as "linear" or "llama3"');
  if (type === 'default') return { ropeTheta };
  const ropeScaling: NonNullable<LlamaConfig['ropeScaling']> = { type, factor: scaling.positiveNumber('factor') };
  if (scaling.has('low_freq_factor')) ropeScaling.lowFreqFactor = scaling.positiveNumber('low_freq_factor');
  if (scaling.has('high_freq_factor')) ropeScaling.highFreqFactor = scaling.positiveNumber('high_freq_factor');
  if (scaling.has('original_max_position_embeddings')) ropeScaling.originalMaxPositions = scaling.positiveInt('original_max_position_embeddings');
  return { ropeTheta, ropeScaling };
}

function tokenIds(f: ConfigFields): Pick<ModelConfig, 'bosTokenId' | 'eosTokenId'> {
  const ids: Pick<ModelConfig, 'bosTokenId' | 'eosTokenId'> = {};
  const bos = f.tokenId('bos_token_id');
  const eos = f.tokenIds('eos_token_id');
  if (bos !== undefined) ids.bosTokenId = bos;
  if (eos !== undefined) ids.eosTokenId = eos;
  return ids;
}

type Json = Record<string, unknown>;
/** Writes one ked field into HF JSON; `explicit` spells out values the natural form leaves implied (n_inner: null). */
type FieldWriter<C> = (config: C, out: Json, explicit: boolean) => void;

const GPT2_FIELDS: Record<string, FieldWriter<Gpt2Config>> = {
  vocabSize: (c, out) => (out.vocab_size = c.vocabSize),
  maxPositions: (c, out) => {
    out.n_positions = c.maxPositions;
    if ('n_ctx' in out) out.n_ctx = c.maxPositions;
  },
  dModel: (c, out) => (out.n_embd = c.dModel),
  layers: (c, out) => (out.n_layer = c.layers),
  heads: (c, out) => (out.n_head = c.heads),
  dFF: (c, out, explicit) => (out.n_inner = !explicit && c.dFF === 4 * c.dModel ? null : c.dFF),
  layerNormEps: (c, out) => (out.layer_norm_epsilon = c.layerNormEps),
  activation: (c, out) => (out.activation_function = c.activation),
  tieWordEmbeddings: (c, out) => (out.tie_word_embeddings = c.tieWordEmbeddings),
  bosTokenId: (c, out) => (out.bos_token_id = c.bosTokenId ?? null),
  eosTokenId: (c, out) => (out.eos_token_id = c.eosTokenId ?? null),
};

const LLAMA_FIELDS: Record<string, FieldWriter<LlamaConfig>> = {
  vocabSize: (c, out) => (out.vocab_size = c.vocabSize),
  maxPositions: (c, out) => (out.max_position_embeddings = c.maxPositions),
  dModel: (c, out) => (out.hidden_size = c.dModel),
  layers: (c, out) => (out.num_hidden_layers = c.layers),
  heads: (c, out) => (out.num_attention_heads = c.heads),
  kvHeads: (c, out) => (out.num_key_value_heads = c.kvHeads),
  headDim: (c, out, explicit) => {
    if (explicit || c.headDim !== c.dModel / c.heads) out.head_dim = c.headDim;
    else delete out.head_dim;
  },
  dFF: (c, out) => (out.intermediate_size = c.dFF),
  rmsNormEps: (c, out) => (out.rms_norm_eps = c.rmsNormEps),
  ropeTheta: (c, out) => {
    if (isObject(out.rope_parameters)) out.rope_parameters = { ...out.rope_parameters, rope_theta: c.ropeTheta };
    else out.rope_theta = c.ropeTheta;
  },
  ropeScaling: (c, out) => {
    const scaling = c.ropeScaling && {
      rope_type: c.ropeScaling.type,
      factor: c.ropeScaling.factor,
      ...(c.ropeScaling.lowFreqFactor !== undefined && { low_freq_factor: c.ropeScaling.lowFreqFactor }),
      ...(c.ropeScaling.highFreqFactor !== undefined && { high_freq_factor: c.ropeScaling.highFreqFactor }),
      ...(c.ropeScaling.originalMaxPositions !== undefined && { original_max_position_embeddings: c.ropeScaling.originalMaxPositions }),
    };
    if (isObject(out.rope_parameters)) out.rope_parameters = { rope_theta: out.rope_parameters.rope_theta, ...(scaling ?? { rope_type: 'default' }) };
    else out.rope_scaling = scaling ?? null;
  },
  attentionBias: (c, out) => {
    const implied = c.modelType === 'qwen2' ? true : c.modelType === 'mistral' ? false : undefined;
    if (implied === undefined) out.attention_bias = c.attentionBias;
    else if (c.attentionBias !== implied) throw new Error(`a ${c.modelType} config cannot have attentionBias ${c.attentionBias}`);
  },
  mlpBias: (c, out) => {
    if (c.modelType === 'llama') out.mlp_bias = c.mlpBias;
    else if (c.mlpBias) throw new Error(`a ${c.modelType} config cannot have mlpBias true`);
  },
  activation: (c, out) => (out.hidden_act = c.activation),
  tieWordEmbeddings: (c, out) => (out.tie_word_embeddings = c.tieWordEmbeddings),
  bosTokenId: (c, out) => (out.bos_token_id = c.bosTokenId ?? null),
  eosTokenId: (c, out) => (out.eos_token_id = c.eosTokenId ?? null),
};

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface ToHfConfigOptions {
  /** The stored weights' dtype, recorded as transformers does ("torch_dtype", or "dtype" where the original uses that). */
  torchDtype?: 'float32' | 'float16' | 'bfloat16';
}

/**
 * The config as HF config.json. Given the original JSON, returns it with only the fields that
 * `config` changes rewritten (its other fields, known or not, and its key order are kept);
 * otherwise a fresh config with keys sorted as transformers writes them.
 */
export function toHfConfig(config: ModelConfig, original?: object, options: ToHfConfigOptions = {}): Json {
  const writers = (config.family === 'gpt2' ? GPT2_FIELDS : LLAMA_FIELDS) as Record<string, FieldWriter<ModelConfig>>;
  const kedField = (c: ModelConfig, key: string) => (c as unknown as Record<string, unknown>)[key];
  if (original === undefined) {
    const out: Json = { architectures: [ARCHITECTURES[config.modelType]], model_type: config.modelType };
    for (const write of Object.values(writers)) write(config, out, false);
    if (options.torchDtype) out.torch_dtype = options.torchDtype;
    return sortKeys(out);
  }
  const base = original as Json;
  if (base.model_type !== config.modelType) {
    throw new Error(`cannot write a ${config.modelType} config over an original config.json with model_type ${JSON.stringify(base.model_type)}`);
  }
  const before = parseHfConfig(base, 'original config.json');
  const out: Json = structuredClone(base);
  for (const [key, write] of Object.entries(writers)) {
    if (!isDeepStrictEqual(kedField(before, key), kedField(config, key))) write(config, out, false);
  }
  // A field left implied (n_inner: null) may now mean something else when another changed; spell those out.
  const after = parseHfConfig(out, 'config.json being written');
  for (const [key, write] of Object.entries(writers)) {
    if (!isDeepStrictEqual(kedField(after, key), kedField(config, key))) write(config, out, true);
  }
  if (options.torchDtype) out['dtype' in out && !('torch_dtype' in out) ? 'dtype' : 'torch_dtype'] = options.torchDtype;
  return out;
}

function sortKeys(json: Json): Json {
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
