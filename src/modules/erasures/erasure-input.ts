import { z } from 'zod';
import { normaliseMention } from '../../memory/scope/scope-features';

/** A subject or text is matched by its words: one without a letter or digit could never be found. */
const named = (max: number) => z.string().trim().min(1).max(max).refine((v) => normaliseMention(v).length > 0, { message: 'must contain a letter or digit' });

/** `POST /v1/erasures`: exactly one of subject, factId, text. */
export const erasureInputSchema = z
  .object({
    subject: named(500).optional(),
    factId: z.uuid().optional(),
    text: named(2000).optional(),
  })
  .strict()
  .refine((b) => [b.subject, b.factId, b.text].filter((v) => v !== undefined).length === 1, { message: 'give exactly one of subject, factId, text' });

export type ErasureInput = z.infer<typeof erasureInputSchema>;
