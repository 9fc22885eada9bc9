import type { KnowledgeBase } from './edit-method';

/** What kind of thing each entity type is, as a knowledge base's short description says it. */
const ENTITY_KINDS = {
  person: 'a person',
  city: 'a city',
  country: 'a country',
  continent: 'a continent',
  company: 'a company',
  university: 'a university',
  work: 'a written work',
  language: 'a language',
  currency: 'a currency',
  genre: 'a genre',
  occupation: 'an occupation',
} as const;

/** The entity types a knowledge base knows (the fixture world's entities have these too). */
export type EntityType = keyof typeof ENTITY_KINDS;

/** The entity types, in their documented order. */
export const ENTITY_TYPES = Object.keys(ENTITY_KINDS) as EntityType[];

/** Whether a string names one of the entity types (a knowledge base file's `type`). */
export function isEntityType(type: string): type is EntityType {
  return Object.hasOwn(ENTITY_KINDS, type);
}

/**
 * The knowledge prompt's entity line (PokeMQA): the entity's name and what kind of thing it is,
 * like a knowledge base's short description ("Alba Reyes, a person"). It states no relation, so
 * it never contradicts an edit.
 */
export function describeEntity(name: string, type: EntityType): string {
  return `${name}, ${ENTITY_KINDS[type]}`;
}

/** One entity of a knowledge base: its name, the other names it goes by, and its type. */
export interface KnownEntity {
  name: string;
  type: EntityType;
  aliases: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A knowledge base over a list of entities. PokeMQA's key entity of a question is the longest
 * entity name or alias it contains as whole words (the earliest on a tie), described by its type.
 * The scope detector reads the other names of an edit's subject from it. A name two entities
 * share names neither.
 */
export function entityKnowledgeBase(entities: readonly KnownEntity[]): KnowledgeBase {
  const byName = new Map<string, KnownEntity | null>();
  for (const entity of entities) {
    for (const name of new Set([entity.name, ...entity.aliases].map((n) => n.toLowerCase()))) byName.set(name, byName.has(name) && byName.get(name) !== entity ? null : entity);
  }
  const mentions = entities
    .flatMap((entity) => [entity.name, ...entity.aliases].map((text) => ({ entity, text, pattern: new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, 'u') })))
    .sort((a, b) => b.text.length - a.text.length);
  return {
    describeQuestionEntity(question: string): string | undefined {
      let best: { entity: KnownEntity; text: string; at: number } | undefined;
      for (const mention of mentions) {
        if (best && mention.text.length < best.text.length) break;
        const match = mention.pattern.exec(question);
        if (match && (!best || match.index < best.at)) best = { entity: mention.entity, text: mention.text, at: match.index };
      }
      return best && describeEntity(best.entity.name, best.entity.type);
    },
    aliasesOf(name: string): readonly string[] {
      const entity = byName.get(name.trim().toLowerCase());
      return entity ? [entity.name, ...entity.aliases].filter((n) => n.toLowerCase() !== name.trim().toLowerCase()) : [];
    },
  };
}
