import { z } from 'zod';

/** Most choices one request may ask for (`n`, `best_of`): each is a full generation. */
export const MAX_CHOICES = 8;
/** Most prompts in one completions request's `prompt` array. */
export const MAX_PROMPTS = 16;
/** Most tokens one request may generate per choice (the model's context may allow fewer). */
export const MAX_NEW_TOKENS = 1024;

/**
 * A field that ked accepts but that cannot change a text model's answer (tracking, caching,
 * scheduling hints); it is validated loosely and ignored.
 */
const ignored = z.unknown().optional();

/** A field whose presence asks for something ked cannot honour, refused with `code`. */
function unsupported(code: string, reason: string, allowed: (value: unknown) => boolean = (v) => v === undefined || v === null) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (!allowed(value)) ctx.addIssue({ code: 'custom', message: reason, params: { code } });
    })
    .optional();
}

const stopStrings = z.union([
  z.string().min(1).max(200, 'must be at most 200 characters'),
  z.array(z.string().min(1).max(200, 'must be at most 200 characters')).max(4, 'must hold at most 4 strings'),
]);

/** The sampling and length fields completions and chat share (OpenAI's names and ranges). */
const generationFields = {
  model: z.string().min(1).max(200, 'must be at most 200 characters').default('default'),
  max_tokens: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_NEW_TOKENS, `must be at most ${MAX_NEW_TOKENS}`).nullish(),
  max_completion_tokens: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_NEW_TOKENS, `must be at most ${MAX_NEW_TOKENS}`).nullish(),
  temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').nullish(),
  // 0 keeps only the most likely token: OpenAI takes it, and clients send it to ask for determinism.
  top_p: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').nullish(),
  n: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_CHOICES, `must be at most ${MAX_CHOICES}`).nullish(),
  stop: stopStrings.nullish(),
  seed: z.number().int('must be an integer').nullish(),
  presence_penalty: z.number().min(-2, 'must be between -2 and 2').max(2, 'must be between -2 and 2').nullish(),
  frequency_penalty: z.number().min(-2, 'must be between -2 and 2').max(2, 'must be between -2 and 2').nullish(),
  /** Token id (as a string key, OpenAI's form) → bias in [−100, 100]. */
  logit_bias: z
    .record(z.string().regex(/^\d+$/, 'must be a token id'), z.number().min(-100, 'must be between -100 and 100').max(100, 'must be between -100 and 100'))
    .refine((bias) => Object.keys(bias).length <= 300, 'must hold at most 300 tokens')
    .nullish(),
  /** Server-sent events: one chunk per new piece of text, then `data: [DONE]`. */
  stream: z.boolean().nullish(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullish(),
  user: z.string().max(256, 'must be at most 256 characters').optional(),
  // Accepted and ignored: they do not change what a text model generates.
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  store: ignored,
  service_tier: ignored,
  prompt_cache_key: ignored,
  safety_identifier: ignored,
};

const completionPrompt = z.union([
  z.string().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters'),
  z.array(z.string().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters')).min(1, 'must hold at least one prompt').max(MAX_PROMPTS, `must hold at most ${MAX_PROMPTS} prompts`),
  z.array(z.number().int().min(0)).min(1, 'must hold at least one token').max(8192),
  z.array(z.array(z.number().int().min(0)).min(1).max(8192)).min(1).max(MAX_PROMPTS, `must hold at most ${MAX_PROMPTS} prompts`),
], { error: 'must be a string, an array of strings, an array of token ids or an array of such arrays' });

/** OpenAI's legacy completions request (`POST /v1/completions`). */
export const completionRequestSchema = z
  .strictObject({
    prompt: completionPrompt,
    ...generationFields,
    /** Log-probabilities of the chosen tokens and this many alternatives per step (0–5, OpenAI's range). */
    logprobs: z.number().int('must be an integer').min(0, 'must be between 0 and 5').max(5, 'must be between 0 and 5').nullish(),
    echo: z.boolean().nullish(),
    best_of: z.number().int('must be an integer').min(1, 'must be at least 1').max(MAX_CHOICES, `must be at most ${MAX_CHOICES}`).nullish(),
    suffix: unsupported('unsupported_parameter', 'insertion after a suffix is not supported by this model', (v) => v === undefined || v === null || v === ''),
  })
  .superRefine((request, ctx) => {
    if (request.best_of != null && request.best_of < (request.n ?? 1)) ctx.addIssue({ code: 'custom', path: ['best_of'], message: 'must be at least n' });
    if ((request.best_of ?? 1) > 1 && request.stream) ctx.addIssue({ code: 'custom', path: ['best_of'], message: 'cannot be used with stream' });
    if (request.echo && request.logprobs != null) ctx.addIssue({ code: 'custom', path: ['echo'], message: 'cannot be combined with logprobs', params: { code: 'unsupported_parameter' } });
  });
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** A content part: text is read; images, audio and files are refused (a text model). */
const contentPart = z.looseObject({ type: z.string() }).superRefine((part, ctx) => {
  if (part.type !== 'text') ctx.addIssue({ code: 'custom', message: `"${part.type}" content is not supported: this model reads text only`, params: { code: 'unsupported_content' } });
  else if (typeof part.text !== 'string') ctx.addIssue({ code: 'custom', path: ['text'], message: 'must be a string' });
});

const messageContent = z.union([z.string().max(20_000, 'must be at most 20000 characters'), z.array(contentPart).max(100), z.null()], { error: 'must be a string or an array of content parts' });

const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], { error: 'must be system, developer, user, assistant, tool or function' }),
  content: messageContent.optional(),
  name: z.string().max(256).optional(),
  // An assistant's earlier tool calls cannot be replayed to a model without tools.
  tool_calls: unsupported('unsupported_parameter', 'tool calls are not supported by this model', (v) => v === undefined || v === null || (Array.isArray(v) && v.length === 0)),
  function_call: unsupported('unsupported_parameter', 'function calls are not supported by this model'),
  audio: unsupported('unsupported_parameter', 'audio is not supported by this model'),
  refusal: z.string().nullish(),
  tool_call_id: z.string().optional(),
});

const noTools = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

/** OpenAI's chat completions request (`POST /v1/chat/completions`), for a text-only model without tools. */
export const chatCompletionRequestSchema = z.strictObject({
  messages: z.array(chatMessage).min(1, 'must hold at least one message').max(200, 'must hold at most 200 messages'),
  ...generationFields,
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int('must be an integer').min(0, 'must be between 0 and 20').max(20, 'must be between 0 and 20').nullish(),
  response_format: unsupported('unsupported_value', 'only response_format {"type": "text"} is supported: this model has no JSON mode', (v) => v === undefined || v === null || (typeof v === 'object' && (v as { type?: unknown }).type === 'text')),
  tools: unsupported('unsupported_parameter', 'tools are not supported by this model', noTools),
  tool_choice: unsupported('unsupported_value', 'tools are not supported by this model; tool_choice may only be "none"', (v) => v === undefined || v === null || v === 'none'),
  functions: unsupported('unsupported_parameter', 'functions are not supported by this model', noTools),
  function_call: unsupported('unsupported_value', 'functions are not supported by this model; function_call may only be "none"', (v) => v === undefined || v === null || v === 'none'),
  modalities: unsupported('unsupported_value', 'this model only outputs text', (v) => v === undefined || v === null || (Array.isArray(v) && v.every((m) => m === 'text'))),
  audio: unsupported('unsupported_parameter', 'audio output is not supported by this model'),
  web_search_options: unsupported('unsupported_parameter', 'web search is not supported by this model'),
  // Accepted and ignored: no tools to call in parallel, a prediction only speeds up a matching
  // answer, and the effort and verbosity hints are for reasoning models.
  parallel_tool_calls: z.boolean().nullish(),
  prediction: ignored,
  reasoning_effort: ignored,
  verbosity: ignored,
}).superRefine((request, ctx) => {
  if (request.top_logprobs != null && request.top_logprobs > 0 && !request.logprobs) ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'needs logprobs: true' });
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatRequestMessage = ChatCompletionRequest['messages'][number];

/** A message's text: a string, or its text parts joined (other parts were refused). */
export function messageText(message: ChatRequestMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/** The generation settings a request resolves to, after OpenAI's defaults. */
export interface GenerationSettings {
  maxTokens: number;
  temperature: number;
  topP: number;
  stop: string[];
  seed?: number;
  presencePenalty: number;
  frequencyPenalty: number;
  logitBias?: ReadonlyMap<number, number>;
  /** Log-probabilities wanted: undefined for none, else how many alternatives per token. */
  logprobs?: number;
}

/** 16 new tokens by default, as OpenAI's completions; chat too, so that a base model does not ramble to the end of its context. */
export const DEFAULT_MAX_TOKENS = 16;

export function generationSettings(request: CompletionRequest | ChatCompletionRequest): GenerationSettings {
  const bias = request.logit_bias ? new Map(Object.entries(request.logit_bias).map(([token, value]) => [Number(token), value])) : undefined;
  const logprobs = 'messages' in request ? (request.logprobs ? (request.top_logprobs ?? 0) : undefined) : (request.logprobs ?? undefined);
  return {
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    temperature: request.temperature ?? 0,
    topP: request.top_p ?? 1,
    stop: typeof request.stop === 'string' ? [request.stop] : (request.stop ?? []),
    seed: request.seed ?? undefined,
    presencePenalty: request.presence_penalty ?? 0,
    frequencyPenalty: request.frequency_penalty ?? 0,
    logitBias: bias?.size ? bias : undefined,
    logprobs,
  };
}
