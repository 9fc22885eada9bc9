import { z } from 'zod';
import { ROLES } from '../../guards/roles';

/** `POST /v1/keys`: a label and at least one role. */
export const keyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).default('api'),
    roles: z
      .array(z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }))
      .min(1, 'give at least one role'),
  })
  .strict();

export type KeyInput = z.infer<typeof keyInputSchema>;
