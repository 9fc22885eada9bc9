import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KnowledgeBase } from '../../editors/edit-method';
import { ENTITY_TYPES, entityKnowledgeBase, isEntityType, type EntityType } from '../../editors/knowledge-base';
import { describeIssue } from '../../editors/zod-issue';

/**
 * knowledge-base.json: `{"entities": [{"name", "type", "aliases"}]}`. Entities may carry other
 * fields (an id, a description), which are ignored; the file itself holds only the list.
 */
const knowledgeFileSchema = z.strictObject({
  entities: z
    .array(
      z.object({
        name: z.string().min(1),
        type: z.string().refine(isEntityType, `must be an entity type (${ENTITY_TYPES.join(', ')})`),
        aliases: z.array(z.string()).default([]),
      }),
    )
    .min(1),
});

/** Says where a ked world's knowledge base file comes from, for a file that is not one. */
const WORLD_HINT = 'a knowledge base is {"entities":[{"name","type","aliases"}]}; for a ked world use the knowledge-base.json that `ked world generate` writes beside its world.json';

/** PokeMQA's knowledge base from a knowledge-base.json file. */
export function knowledgeBaseFromFile(path: string): KnowledgeBase {
  const parsed = knowledgeFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${parsed.error.issues.slice(0, 3).map(describeIssue).join('; ')} (${WORLD_HINT})`);
  return entityKnowledgeBase(parsed.data.entities.map((e) => ({ name: e.name, type: e.type as EntityType, aliases: e.aliases })));
}
