import { createHash } from 'node:crypto';

/**
 * What an erased fact keeps of its idempotency key: `sha256:<hex>`. The key may name the erased
 * subject ("wikidata:Jane Roe/P69"), so the text goes; the hash still recognises a resend.
 */
export function erasedKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** The same in SQL, for the erasure's UPDATE (keys already hashed stay as they are). */
export const ERASED_KEY_SQL = "CASE WHEN key IS NULL OR key LIKE 'sha256:%' THEN key ELSE 'sha256:' || encode(sha256(convert_to(key, 'UTF8')), 'hex') END";
