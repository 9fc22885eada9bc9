import { describeEntity } from './mello';
import type { Entity, World } from './types';

/** PokeMQA's knowledge base as memory readers use it (structurally the editors' KnowledgeBase). */
export interface EntityKnowledge {
  /** "Alba Reyes, a person" for the entity the question is about, or undefined when none is known. */
  describeQuestionEntity(question: string): string | undefined;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The world as PokeMQA's knowledge base: the key entity of a question is the longest entity
 * name or alias it contains as whole words (the earliest on a tie), described by its type.
 */
export function worldKnowledgeBase(world: Pick<World, 'entities'>): EntityKnowledge {
  const mentions = world.entities
    .flatMap((entity) => [entity.name, ...entity.aliases].map((text) => ({ entity, text, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, 'u') })))
    .sort((a, b) => b.text.length - a.text.length);
  return {
    describeQuestionEntity(question: string): string | undefined {
      let best: { entity: Entity; text: string; at: number } | undefined;
      for (const mention of mentions) {
        if (best && mention.text.length < best.text.length) break;
        const match = mention.pattern.exec(question);
        if (match && (!best || match.index < best.at)) best = { entity: mention.entity, text: mention.text, at: match.index };
      }
      return best && describeEntity(best.entity.name, best.entity.type);
    },
  };
}
