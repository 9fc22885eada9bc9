import { generateWorld, serialiseWorld } from './generate-world';
import type { SlotType } from './types';
import { slotAccepts, WorldIndex } from './world-index';

describe('generateWorld', () => {
  const world = generateWorld(1);
  const index = new WorldIndex(world);

  it('is a pure function of the seed', () => {
    expect(serialiseWorld(generateWorld(1))).toBe(serialiseWorld(world));
    expect(serialiseWorld(generateWorld(2))).not.toBe(serialiseWorld(world));
  });

  it('makes the default sizes', () => {
    const count = (type: string) => world.entities.filter((e) => e.type === type).length;
    expect([count('person'), count('city'), count('country'), count('continent')]).toEqual([240, 48, 16, 6]);
    expect(count('company') + count('university')).toBe(32);
    expect([count('work'), count('language'), count('currency'), count('genre')]).toEqual([48, 8, 8, 8]);
    expect(world.novel.entities).toHaveLength(72);
  });

  it('keeps changes of the dataset-only part out of the corpus world', () => {
    const more = generateWorld(1, { novelPeople: 10 });
    expect(more.entities).toEqual(world.entities);
    expect(more.facts).toEqual(world.facts);
  });

  it('gives every entity a unique name, and names and aliases never collide', () => {
    const names = [...world.entities, ...world.novel.entities].flatMap((e) => [e.name, ...e.aliases]).map((n) => n.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('names people with a capitalised first and last name and aliases them by the last', () => {
    for (const person of world.entities.filter((e) => e.type === 'person')) {
      expect(person.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(person.aliases).toEqual([`Dr. ${person.last}`, `${person.first!.charAt(0)}. ${person.last}`]);
    }
  });

  it('types every fact by its relation', () => {
    for (const fact of [...world.facts, ...world.novel.facts]) {
      const relation = index.relation(fact.relation);
      const accepts = (slot: SlotType, id: string) => slot === 'literal' || slotAccepts(slot, index.entity(id));
      expect(accepts(relation.subjectType, fact.subject)).toBe(true);
      expect(accepts(relation.objectType, fact.object)).toBe(true);
    }
  });

  it('gives each subject at most one object per relation', () => {
    const keys = [...world.facts, ...world.novel.facts].map((f) => `${f.subject}|${f.relation}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("locates every country's capital in that country", () => {
    for (const country of index.entitiesOf('country')) {
      const capital = index.object(country.id, 'capital')!;
      expect(index.object(capital, 'located_in')).toBe(country.id);
      expect(index.object(capital, 'capital_of')).toBe(country.id);
    }
  });

  it('makes heads of government citizens born in the country they govern', () => {
    for (const country of index.entitiesOf('country')) {
      const head = index.object(country.id, 'head_of_government')!;
      expect(index.object(head, 'citizen_of')).toBe(country.id);
      expect(index.object(index.object(head, 'born_in')!, 'located_in')).toBe(country.id);
    }
  });

  it('makes most people citizens of the country they were born in', () => {
    const people = index.entitiesOf('person');
    const native = people.filter((p) => index.object(index.object(p.id, 'born_in')!, 'located_in') === index.object(p.id, 'citizen_of'));
    expect(native.length / people.length).toBeGreaterThan(0.75);
  });

  it('keeps every reverse relation one-to-one and in agreement with its forward relation', () => {
    for (const relation of world.relations.filter((r) => r.inverseOf)) {
      const forward = index.factsOf(relation.inverseOf!);
      const backward = index.factsOf(relation.id);
      expect(backward).toHaveLength(forward.length);
      expect(new Set(forward.map((f) => f.object)).size).toBe(forward.length);
      for (const f of forward) expect(index.object(f.object, relation.id)).toBe(f.subject);
    }
  });

  it('gives people unique 555-0xxx phone numbers and first.last e-mail addresses', () => {
    const phones = index.factsOf('phone').map((f) => f.object);
    expect(new Set(phones).size).toBe(240);
    for (const phone of phones) expect(phone).toMatch(/^555-0\d{3}$/);
    for (const f of index.factsOf('email')) {
      const person = index.entity(f.subject);
      expect(f.object).toMatch(new RegExp(`^${person.first!.toLowerCase()}\\.${person.last!.toLowerCase()}@[a-z]+\\.com$`));
    }
  });

  it('gives every relation at least five cloze and three question templates, with held-out ones', () => {
    expect(world.relations.filter((r) => r.kind === 'public').length).toBeGreaterThanOrEqual(12);
    for (const relation of world.relations) {
      const of = (form: string, split?: string) => relation.templates.filter((t) => t.form === form && (!split || t.split === split)).length;
      expect([relation.id, of('cloze') >= 5, of('question') >= 3]).toEqual([relation.id, true, true]);
      expect([relation.id, of('cloze', 'held_out') >= 1, of('question', 'held_out') >= 1]).toEqual([relation.id, true, true]);
      for (const t of relation.templates) expect(t.text).toContain('{s}');
    }
    for (const chain of world.chains) {
      expect(chain.templates.filter((t) => t.form === 'question' && t.split === 'train').length).toBeGreaterThanOrEqual(3);
      expect(chain.templates.some((t) => t.split === 'held_out')).toBe(true);
    }
  });

  it('never lets one cloze template of a subject type be a prefix of another (the object must come next)', () => {
    const typeOf = (slot: SlotType) => (slot === 'company' || slot === 'university' ? 'organisation' : slot);
    const clozes = [...world.relations, ...world.chains].flatMap((owner) => owner.templates.filter((t) => t.form === 'cloze').map((t) => ({ owner: owner.id, type: typeOf(owner.subjectType), text: t.text })));
    const clashes = clozes.flatMap((a) => clozes.filter((b) => a !== b && a.type === b.type && (b.text === a.text || b.text.startsWith(`${a.text} `))).map((b) => `${a.owner}: "${a.text}" / ${b.owner}: "${b.text}"`));
    expect(clashes).toEqual([]);
  });

  it('holds out half of the subjects of every chain type from two-hop training', () => {
    for (const type of ['person', 'work', 'city', 'country'] as const) {
      const all = index.entitiesOf(type);
      expect(all.filter((e) => index.isTwoHopHeldOut(e.id))).toHaveLength(Math.floor(all.length / 2));
    }
  });

  it('walks chains through the facts', () => {
    const person = index.entitiesOf('person')[0].id;
    const path = index.follow(person, ['born_in', 'located_in'])!;
    expect(path[1]).toBe(index.object(person, 'born_in'));
    expect(path[2]).toBe(index.object(path[1], 'located_in'));
    const overlay = new Map([[`${person}|born_in`, index.object(index.entitiesOf('country')[0].id, 'capital')!]]);
    expect(index.follow(person, ['born_in', 'located_in'], overlay)![2]).toBe(index.entitiesOf('country')[0].id);
  });
});
