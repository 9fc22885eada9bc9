import { z } from 'zod';

/** `POST /v1/erasures`: exactly one of subject, factId, text. */
export const erasureInputSchema = z
  .object({
    subject: z.string().trim().min(1).max(500).optional(),
    factId: z.uuid().optional(),
    text: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((b) => [b.subject, b.factId, b.text].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of subject, factId, text' });

export type ErasureInput = z.infer<typeof erasureInputSchema>;
