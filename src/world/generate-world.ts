import { defineChains } from './chains';
import { EntityFactory } from './entities';
import { contactFacts, generateFacts, personFacts, poolsOf, reverseFacts } from './facts';
import { NameForge } from './names';
import { Random } from './random';
import { defineRelations } from './relations';
import type { Entity, Fact, World, WorldOptions } from './types';

export const DEFAULT_WORLD_OPTIONS: WorldOptions = {
  people: 240,
  cities: 48,
  countries: 16,
  continents: 6,
  companies: 20,
  universities: 12,
  works: 48,
  languages: 8,
  currencies: 8,
  genres: 8,
  occupations: 12,
  novelPeople: 72,
};

/** Lowercase first word of the employer's name: "Velmar Steel Works" → "velmar.com". */
function employerDomain(entities: Map<string, Entity>, facts: Fact[]): (person: Entity) => string {
  const employer = new Map(facts.filter((f) => f.relation === 'employer').map((f) => [f.subject, f.object]));
  return (person) => `${entities.get(employer.get(person.id)!)!.name.split(' ')[0].toLowerCase()}.com`;
}

/** Half of the subjects of each chain type keep their multi-hop knowledge out of the corpus. */
function twoHopHeldOut(random: Random, entities: Entity[]): string[] {
  const out: string[] = [];
  for (const types of [['person'], ['work'], ['company', 'university'], ['city'], ['country']]) {
    const group = entities.filter((e) => types.includes(e.type));
    out.push(...random.shuffle(group).slice(0, Math.floor(group.length / 2)).map((e) => e.id));
  }
  return out.sort();
}

/**
 * The whole world from one seed. Every step draws from its own forked stream, and
 * dataset-only (novel) knowledge is made last, so changing `novelPeople` leaves the rest of
 * the world unchanged.
 */
export function generateWorld(seed: number, overrides: Partial<WorldOptions> = {}): World {
  const options: WorldOptions = { ...DEFAULT_WORLD_OPTIONS, ...overrides };
  const random = new Random(seed);
  const forge = new NameForge(random.fork('names'));
  const relations = defineRelations();
  const entities = new EntityFactory(random.fork('entities'), forge).build(options);
  const byId = new Map(entities.map((e) => [e.id, e]));
  const { facts, geography } = generateFacts(random.fork('facts'), entities);
  const phones = new Set<string>();
  const people = entities.filter((e) => e.type === 'person');
  facts.push(...contactFacts(random.fork('contacts'), people, employerDomain(byId, facts), phones));
  facts.push(...reverseFacts(relations.filter((r) => r.kind === 'reverse'), facts));

  // Dataset-only knowledge: new people with full biographies, and a mentor for everyone.
  const novelPeople = new EntityFactory(random.fork('novel-entities'), forge).people(options.novelPeople, 'novel');
  const novelRandom = random.fork('novel-facts');
  const pools = poolsOf(entities);
  const novelFacts: Fact[] = novelPeople.flatMap((person) => personFacts(novelRandom, person.id, pools, geography));
  const mentorOrder = novelRandom.shuffle(people);
  mentorOrder.forEach((person, i) => novelFacts.push({ subject: person.id, relation: 'mentor', object: mentorOrder[(i + 1) % mentorOrder.length].id }));
  novelFacts.push(...reverseFacts(relations.filter((r) => r.kind === 'dataset_only'), novelFacts));

  return {
    format: 'ked-world/1',
    seed,
    options,
    relations,
    chains: defineChains(),
    entities,
    facts,
    twoHopHeldOut: twoHopHeldOut(random.fork('two-hop-split'), entities),
    novel: { entities: novelPeople, facts: novelFacts },
  };
}

/** world.json: pretty-printed, stable key order (the objects are built in a fixed order). */
export function serialiseWorld(world: World): string {
  return `${JSON.stringify(world, null, 2)}\n`;
}
