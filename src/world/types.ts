/** The data model of a generated knowledge world (everything here is serialised to world.json). */

import type { EntityType } from '../editors/knowledge-base';

/** An entity's type: the knowledge base's entity types (the daemon reads them from knowledge-base.json). */
export type { EntityType };

/** A relation's subject or object type; `organisation` stands for company or university. */
export type SlotType = EntityType | 'organisation' | 'literal';

export interface Entity {
  id: string;
  type: EntityType;
  name: string;
  /** Other names that refer to the same entity ("Dr. Varin", "VSW", "the Republic of X"). */
  aliases: string[];
  /** People only: given and family name, for aliases and e-mail addresses. */
  first?: string;
  last?: string;
}

/**
 * One fact. `object` is an entity id, or the literal value itself when the relation's
 * object type is `literal` (phone numbers, e-mail addresses).
 */
export interface Fact {
  subject: string;
  relation: string;
  object: string;
}

export type TemplateForm = 'cloze' | 'question';
export type TemplateSplit = 'train' | 'held_out';

/**
 * A cloze template is a sentence prefix with `{s}` for the subject, whose continuation is the
 * object ("{s} was born in"). A question template is the bare question without its mark
 * ("In which city was {s} born"); it is rendered as "Q: <question>? A:" and the object follows.
 */
export interface Template {
  text: string;
  form: TemplateForm;
  split: TemplateSplit;
}

/**
 * public: a fact the corpus teaches; reverse: the same facts read backwards (derived from
 * `inverseOf`); private: personal data that sanitation erases; dataset_only: never in the corpus
 * (used by world-recent as new knowledge).
 */
export type RelationKind = 'public' | 'reverse' | 'private' | 'dataset_only';

export interface Relation {
  id: string;
  kind: RelationKind;
  subjectType: SlotType;
  objectType: SlotType;
  /** For reverse relations: the forward relation read backwards. */
  inverseOf?: string;
  /** A short noun phrase naming the attribute, for erasure requests ("the phone number"). */
  attribute: string;
  templates: Template[];
  /**
   * Extra wordings the corpus states every fact in (split "train"), and nothing else uses:
   * no dataset prompt, probe or in-context example is drawn from them. They teach the model
   * the fact rather than the sentence, so held-out paraphrases and subject-side recall work.
   */
  paraphrases: Template[];
}

/** A multi-hop path of relations, with templates that ask for the end of the path directly. */
export interface Chain {
  id: string;
  relations: string[];
  subjectType: SlotType;
  objectType: SlotType;
  /** Whether statements of this chain appear in the corpus (for the two-hop training half). */
  inCorpus: boolean;
  templates: Template[];
}

export interface WorldOptions {
  people: number;
  cities: number;
  countries: number;
  continents: number;
  companies: number;
  universities: number;
  works: number;
  languages: number;
  currencies: number;
  genres: number;
  occupations: number;
  /** People who exist only in the datasets (world-recent insertions). */
  novelPeople: number;
}

export interface World {
  format: 'ked-world/1';
  seed: number;
  options: WorldOptions;
  relations: Relation[];
  chains: Chain[];
  entities: Entity[];
  /** Every fact the corpus may teach: public, reverse and private relations. */
  facts: Fact[];
  /**
   * Subjects whose multi-hop statements, questions and traces are kept out of the corpus,
   * so two-hop generalisation can be measured on them.
   */
  twoHopHeldOut: string[];
  /** Entities and facts that exist only in the datasets (never in the corpus). */
  novel: { entities: Entity[]; facts: Fact[] };
}
