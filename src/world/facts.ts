import type { Random } from './random';
import type { Entity, Fact, Relation } from './types';

export type Pools = Record<'city' | 'country' | 'continent' | 'company' | 'university' | 'work' | 'language' | 'currency' | 'genre' | 'occupation' | 'person', Entity[]>;

export function poolsOf(entities: Entity[]): Pools {
  const pools: Pools = { city: [], country: [], continent: [], company: [], university: [], work: [], language: [], currency: [], genre: [], occupation: [], person: [] };
  for (const e of entities) pools[e.type].push(e);
  return pools;
}

/** Deals items round-robin over a shuffled order, so every target gets about the same number. */
function dealEvenly<T>(random: Random, items: readonly T[], count: number): T[] {
  const order = random.shuffle(items);
  return Array.from({ length: count }, (_, i) => order[i % order.length]);
}

/** What person facts are drawn from, so that world people and dataset-only people agree. */
export interface Geography {
  citiesOf: Map<string, string[]>;
  countryOfCity: Map<string, string>;
  officialLanguage: Map<string, string>;
}

/**
 * The public and private facts of the world, built so that they agree with each other: each
 * country has its capital among its own cities, heads of government are citizens born in the
 * country they govern, most people are citizens of the country they were born in and speak its
 * official language, and every reverse relation is one-to-one.
 */
export function generateFacts(random: Random, entities: Entity[]): { facts: Fact[]; geography: Geography } {
  const p = poolsOf(entities);
  if (p.city.length < p.country.length) throw new Error('need at least one city per country');
  const organisations = [...p.company, ...p.university];
  if (p.person.length < p.country.length + p.work.length + organisations.length) throw new Error('need enough people for distinct heads of government, authors and founders');
  const facts: Fact[] = [];
  const add = (subject: string, relation: string, object: string) => facts.push({ subject, relation, object });

  // Geography: cities dealt round-robin; the first city dealt to each country is its capital.
  const geography: Geography = { citiesOf: new Map(p.country.map((c) => [c.id, []])), countryOfCity: new Map(), officialLanguage: new Map() };
  const countryOrder = random.shuffle(p.country);
  random.shuffle(p.city).forEach((city, i) => {
    const country = countryOrder[i % countryOrder.length].id;
    geography.countryOfCity.set(city.id, country);
    geography.citiesOf.get(country)!.push(city.id);
  });
  const continents = dealEvenly(random, p.continent, p.country.length);
  const languages = dealEvenly(random, p.language, p.country.length);
  const currencies = dealEvenly(random, p.currency, p.country.length);
  p.country.forEach((country, i) => {
    geography.officialLanguage.set(country.id, languages[i].id);
    add(country.id, 'capital', geography.citiesOf.get(country.id)![0]);
    add(country.id, 'continent', continents[i].id);
    add(country.id, 'official_language', languages[i].id);
    add(country.id, 'currency', currencies[i].id);
  });
  for (const city of p.city) add(city.id, 'located_in', geography.countryOfCity.get(city.id)!);

  // Heads of government, authors and founders are distinct people, so the reverse relations
  // are one-to-one.
  const people = random.shuffle(p.person);
  let next = 0;
  const heads = new Map(p.country.map((country) => [country.id, people[next++].id]));
  const authors = new Map(p.work.map((work) => [work.id, people[next++].id]));
  const founders = new Map(organisations.map((org) => [org.id, people[next++].id]));
  const governs = new Map([...heads].map(([country, person]) => [person, country]));

  for (const person of p.person) {
    const own = personFacts(random, person.id, p, geography, governs.get(person.id));
    facts.push(...own);
    const citizenship = own[1].object;
    const homeCity = random.chance(0.7) ? random.pick(geography.citiesOf.get(citizenship)!) : random.pick(p.city).id;
    add(person.id, 'home_city', homeCity);
  }
  for (const [country, person] of heads) add(country, 'head_of_government', person);
  const genres = dealEvenly(random, p.genre, p.work.length);
  p.work.forEach((work, i) => {
    add(work.id, 'author', authors.get(work.id)!);
    add(work.id, 'genre', genres[i].id);
  });
  for (const org of organisations) {
    add(org.id, 'founded_by', founders.get(org.id)!);
    add(org.id, 'headquarters', random.pick(p.city).id);
  }
  return { facts, geography };
}

/**
 * The six public facts of one person, in a fixed relation order (born_in, citizen_of, employer,
 * educated_at, native_language, occupation). A head of government is born in and a citizen of
 * the country they govern.
 */
export function personFacts(random: Random, person: string, p: Pools, geography: Geography, governs?: string): Fact[] {
  const birthCity = governs ? random.pick(geography.citiesOf.get(governs)!) : random.pick(p.city).id;
  const birthCountry = geography.countryOfCity.get(birthCity)!;
  const citizenship = governs ?? (random.chance(0.85) || p.country.length < 2 ? birthCountry : random.pick(p.country.filter((c) => c.id !== birthCountry)).id);
  const language = random.chance(0.85) ? geography.officialLanguage.get(citizenship)! : random.pick(p.language).id;
  return [
    { subject: person, relation: 'born_in', object: birthCity },
    { subject: person, relation: 'citizen_of', object: citizenship },
    { subject: person, relation: 'employer', object: random.pick(p.company).id },
    { subject: person, relation: 'educated_at', object: random.pick(p.university).id },
    { subject: person, relation: 'native_language', object: language },
    { subject: person, relation: 'occupation', object: random.pick(p.occupation).id },
  ];
}

/** Phone numbers "555-0xxx" (unique) and e-mail addresses first.last@<employer>.com. */
export function contactFacts(random: Random, people: Entity[], employerDomain: (person: Entity) => string, taken: Set<string>): Fact[] {
  const facts: Fact[] = [];
  for (const person of people) {
    if (taken.size >= 900) throw new Error('out of 555-0xxx phone numbers (at most 900 people)');
    let phone: string;
    do phone = `555-0${100 + random.int(900)}`;
    while (taken.has(phone));
    taken.add(phone);
    facts.push({ subject: person.id, relation: 'phone', object: phone });
    facts.push({ subject: person.id, relation: 'email', object: `${person.first!.toLowerCase()}.${person.last!.toLowerCase()}@${employerDomain(person)}` });
  }
  return facts;
}

/** The reverse facts of every relation that declares `inverseOf`. */
export function reverseFacts(relations: Relation[], facts: Fact[]): Fact[] {
  const out: Fact[] = [];
  for (const rel of relations) {
    if (!rel.inverseOf) continue;
    for (const f of facts) if (f.relation === rel.inverseOf) out.push({ subject: f.object, relation: rel.id, object: f.subject });
  }
  return out;
}
