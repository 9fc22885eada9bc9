import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssue } from '../../editors/zod-issue';
import { worldKnowledgeBase, type EntityKnowledge } from '../../world/knowledge-base';
import { isEntityType } from '../../world/mello';

// Only what a knowledge prompt reads: names, aliases and types (a ked world.json has these and more).
const knowledgeFileSchema = z.object({
  entities: z.array(z.object({ name: z.string().min(1), type: z.string().refine(isEntityType, 'must be an entity type of the world (person, city, company, …)'), aliases: z.array(z.string()).default([]) })).min(1),
});

/** A knowledge base from a ked world.json (or any JSON with such an `entities` list). */
export function knowledgeBaseFromFile(path: string): EntityKnowledge {
  const parsed = knowledgeFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(parsed.error.issues.slice(0, 3).map(describeIssue).join('; '));
  return worldKnowledgeBase({ entities: parsed.data.entities.map((e, i) => ({ id: String(i), ...e })) });
}
