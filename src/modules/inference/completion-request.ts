import { z } from 'zod';

/** The OpenAI completions request fields ked honours; unknown fields are refused so typos show. */
const generationFields = {
  model: z.string().min(1).max(200, 'must be at most 200 characters').default('default'),
  max_tokens: z.number().int('must be an integer').min(1, 'must be at least 1').max(1024, 'must be at most 1024').default(16),
  temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').default(0),
  top_p: z.number().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(1),
  stop: z.union([z.string().min(1).max(200, 'must be at most 200 characters'), z.array(z.string().min(1).max(200, 'must be at most 200 characters')).max(4, 'must hold at most 4 strings')]).optional(),
  seed: z.number().int().optional(),
  /** Server-sent events: one chunk per new piece of text, then `data: [DONE]`. */
  stream: z.boolean().default(false),
  user: z.string().max(256, 'must be at most 256 characters').optional(),
};

export const completionRequestSchema = z.strictObject({
  prompt: z.string().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters'),
  ...generationFields,
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const chatCompletionRequestSchema = z.strictObject({
  messages: z
    .array(z.object({ role: z.enum(['system', 'user', 'assistant', 'tool'], { error: 'must be system, user, assistant or tool' }), content: z.string().max(20_000) }))
    .min(1, 'must hold at least one message')
    .max(200),
  ...generationFields,
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
