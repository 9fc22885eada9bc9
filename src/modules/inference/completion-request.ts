import { z } from 'zod';

/** The OpenAI completions request fields ked honours; unknown fields are refused so typos show. */
export const completionRequestSchema = z.strictObject({
  model: z.string().min(1).default('default'),
  prompt: z.string().min(1, 'must not be empty').max(20_000, 'must be at most 20000 characters'),
  max_tokens: z.number().int('must be an integer').min(1, 'must be at least 1').max(1024, 'must be at most 1024').default(16),
  temperature: z.number().min(0, 'must be between 0 and 2').max(2, 'must be between 0 and 2').default(0),
  top_p: z.number().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').default(1),
  stop: z.union([z.string().min(1), z.array(z.string().min(1)).max(4, 'must hold at most 4 strings')]).optional(),
  seed: z.number().int().optional(),
  stream: z.literal(false, { error: 'streaming (SSE) is not supported yet; send "stream": false' }).optional(),
  user: z.string().optional(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
