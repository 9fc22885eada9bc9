import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorld } from '../generate-world';
import { promptOf } from '../render';
import type { Entity } from '../types';
import { factKey, slotAccepts, WorldIndex } from '../world-index';
import { mquakeQuestionPrompt } from './mquake';
import { opinionTopics } from '../opinions';
import type { ConvSentRecord, FactEditRecord, GroundTruth, MquakeCase, ProbeRecord, SanitationSplit, WikiBioRecord } from './records';
import { buildDatasets, writeDatasets } from './write-datasets';

const world = generateWorld(1);
const index = new WorldIndex(world);
const datasets = buildDatasets(world);
const byName = new Map<string, Entity>([...world.entities, ...world.novel.entities].map((e) => [e.name, e]));
const idOf = (name: string) => byName.get(name)!.id;

/** What every prompt the generator can make asks: subject and relation path, by prompt text. */
const oracle = new Map<string, { subject: string; relations: string[] }>();
for (const entity of [...world.entities, ...world.novel.entities]) {
  for (const owner of [...world.relations.filter((r) => r.kind !== 'private'), ...world.chains.filter((c) => c.relations.length === 2)]) {
    if (!slotAccepts(owner.subjectType, entity)) continue;
    const relations = 'relations' in owner ? owner.relations : [owner.id];
    for (const name of [entity.name, ...entity.aliases]) for (const t of owner.templates) oracle.set(promptOf(t, name), { subject: entity.id, relations });
  }
}

/** The first (canonical) answer of a ground truth. */
function canonical(truth: GroundTruth): string {
  if (typeof truth === 'string') return truth;
  const first = truth[0];
  return typeof first === 'string' ? first : first[0];
}

/** Edits as an overlay, with the reverse facts they imply. */
function overlayOf(records: FactEditRecord[]): Map<string, string> {
  const overlay = new Map<string, string>();
  for (const r of records) {
    const subject = idOf(r.subject);
    const object = idOf(r.target_new);
    overlay.set(factKey(subject, r.relation), object);
    for (const rev of world.relations.filter((x) => x.inverseOf === r.relation)) overlay.set(factKey(object, rev.id), subject);
  }
  return overlay;
}

/** The answer a probe should have once `overlay` is applied. */
function expected(probe: ProbeRecord, overlay: Map<string, string>): string {
  const asked = oracle.get(probe.prompt);
  if (!asked) throw new Error(`unknown prompt: ${probe.prompt}`);
  const path = index.follow(asked.subject, asked.relations, overlay)!;
  return index.name(path[path.length - 1]);
}

function expectProbeShape(probe: ProbeRecord): void {
  expect(Object.keys(probe)).toEqual(['prompt', 'ground_truth']);
  const t = probe.ground_truth;
  const ok = typeof t === 'string' || (Array.isArray(t) && t.length > 0 && (t.every((x) => typeof x === 'string') || t.every((x) => Array.isArray(x) && x.length > 0 && x.every((y) => typeof y === 'string'))));
  expect(ok).toBe(true);
}

function expectFactEditShape(record: FactEditRecord, withGroundTruth: boolean): void {
  const keys = ['subject', 'prompt', 'target_new', ...(withGroundTruth ? ['ground_truth'] : []), 'rephrase_prompt', 'portability', 'locality', 'relation'];
  expect(Object.keys(record)).toEqual(keys);
  expect(Object.keys(record.portability)).toEqual(['Reasoning', 'Subject_Aliasing', 'Logical_Generalization']);
  expect(Object.keys(record.locality)).toEqual(['Relation_Specificity', 'Forgetfulness']);
  for (const list of [...Object.values(record.portability), ...Object.values(record.locality)]) list.forEach(expectProbeShape);
  expect(record.prompt).toContain(record.subject);
  expect(record.rephrase_prompt).not.toBe(record.prompt);
}

/** Edit records: right-typed new objects, probes that follow from them, locality that holds. */
function checkEdits(records: FactEditRecord[]): void {
  const together = overlayOf(records);
  for (const record of records) {
    const relation = index.relation(record.relation);
    const truth = index.object(idOf(record.subject), relation.id)!;
    expect(record.target_new).not.toBe(index.name(truth));
    expect(slotAccepts(relation.objectType, byName.get(record.target_new)!)).toBe(true);
    expect(oracle.get(record.prompt)).toEqual({ subject: idOf(record.subject), relations: [relation.id] });
    const alone = overlayOf([record]);
    for (const probe of [...Object.values(record.portability).flat(), ...Object.values(record.locality).flat()]) {
      expect(canonical(probe.ground_truth)).toBe(expected(probe, alone));
      // Every record of a split stays right when all of the split's edits are applied at once.
      expect(canonical(probe.ground_truth)).toBe(expected(probe, together));
    }
    for (const probe of record.portability.Subject_Aliasing) expect(canonical(probe.ground_truth)).toBe(record.target_new);
  }
}

describe('world-counterfact', () => {
  const test = datasets['world-counterfact.test'] as FactEditRecord[];
  const train = datasets['world-counterfact.train'] as FactEditRecord[];

  it('has at least 1000 test records (sequential editing of 1000) and a smaller train split', () => {
    expect(test.length).toBeGreaterThanOrEqual(1000);
    expect(train.length).toBeGreaterThanOrEqual(100);
    expect(train.length).toBeLessThan(test.length);
  });

  it('has the KnowEdit fact-edit shape with a string ground_truth', () => {
    for (const record of [...test, ...train]) {
      expectFactEditShape(record, true);
      expect(typeof record.ground_truth).toBe('string');
      expect(record.prompt.startsWith('Q:')).toBe(false);
    }
  });

  it('edits to a different object of the right type, and every probe follows from the edit', () => {
    checkEdits(test);
    checkEdits(train);
  });

  it('has Reasoning portability for most records, answered from target_new', () => {
    expect(test.filter((r) => r.portability.Reasoning.length).length / test.length).toBeGreaterThan(0.5);
    expect(test.filter((r) => r.portability.Logical_Generalization.length).length).toBeGreaterThan(10);
    for (const r of test) expect(r.locality.Relation_Specificity.length + r.locality.Forgetfulness.length).toBeGreaterThan(0);
  });

  it('never edits a fact twice, nor the same fact in train and test', () => {
    const keys = (records: FactEditRecord[]) => records.map((r) => `${r.subject}|${r.relation}`);
    expect(new Set(keys(test)).size).toBe(test.length);
    const trainKeys = new Set(keys(train));
    expect(keys(test).filter((k) => trainKeys.has(k))).toEqual([]);
  });
});

describe('world-zsre', () => {
  const test = datasets['world-zsre.test'] as FactEditRecord[];

  it('asks questions, lists ground_truth, and measures locality on unrelated facts', () => {
    expect(test).toHaveLength(500);
    for (const record of test) {
      expectFactEditShape(record, true);
      expect(record.prompt).toMatch(/^Q: .+\? A:$/);
      expect(record.rephrase_prompt).toMatch(/^Q: .+\? A:$/);
      expect(record.ground_truth).toEqual([expect.any(String)]);
      for (const probe of record.locality.Relation_Specificity) expect(oracle.get(probe.prompt)!.subject).not.toBe(idOf(record.subject));
    }
    checkEdits(test);
  });
});

describe('world-recent', () => {
  const test = datasets['world-recent.test'] as FactEditRecord[];
  const train = datasets['world-recent.train'] as FactEditRecord[];

  it('inserts knowledge the corpus lacks: facts of new people and mentors', () => {
    expect(test.length).toBeGreaterThanOrEqual(500);
    expect(train.length).toBeGreaterThanOrEqual(100);
    for (const record of [...test, ...train]) {
      expectFactEditShape(record, false);
      const subject = byName.get(record.subject)!;
      expect(index.isNovel(subject.id) || record.relation === 'mentor').toBe(true);
      expect(index.object(subject.id, record.relation)).toBe(idOf(record.target_new));
      for (const probe of [...Object.values(record.portability).flat(), ...Object.values(record.locality).flat()]) {
        expect(canonical(probe.ground_truth)).toBe(expected(probe, new Map()));
      }
    }
  });

  it('keeps each new person in one split', () => {
    const testSubjects = new Set(test.filter((r) => index.isNovel(idOf(r.subject))).map((r) => r.subject));
    expect(train.filter((r) => testSubjects.has(r.subject))).toEqual([]);
  });
});

describe('world-wikibio', () => {
  const test = datasets['world-wikibio.test'] as WikiBioRecord[];
  const train = datasets['world-wikibio.train'] as WikiBioRecord[];

  it("continues a passage about a person the corpus never mentions with one of that person's true facts", () => {
    expect(test.length).toBeGreaterThanOrEqual(300);
    expect(train.length).toBeGreaterThanOrEqual(100);
    for (const record of [...test, ...train]) {
      const person = byName.get(record.concept)!;
      expect(index.isNovel(person.id)).toBe(true);
      const sentences = [...record.text.split(/(?<=\.) /), record.labels];
      expect(sentences).toHaveLength(4);
      for (const sentence of sentences) expect(sentence.includes(record.concept) && sentence.endsWith('.')).toBe(true);
      expect(record.labels.endsWith(` ${index.objectText(record.relation, index.object(person.id, record.relation)!)}.`)).toBe(true);
      expect(new Set(sentences).size).toBe(4);
      expect(record.text.includes(record.labels.slice(record.concept.length))).toBe(false);
      const [locality] = record.locality.Relation_Specificity;
      expect(locality.prompt.includes(record.concept)).toBe(false);
    }
  });

  it("keeps a person's records in one split, one record per fact", () => {
    const testPeople = new Set(test.map((r) => r.concept));
    expect(train.filter((r) => testPeople.has(r.concept))).toEqual([]);
    const keys = [...test, ...train].map((r) => `${r.concept}|${r.relation}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('world-sanitation', () => {
  const test = datasets['world-sanitation.test'] as SanitationSplit;
  const train = datasets['world-sanitation.train'] as SanitationSplit;

  it('erases private attributes ("I don\'t know.") and keeps other facts', () => {
    expect(test.success).toHaveLength(200);
    expect(test.locality).toHaveLength(200);
    for (const split of [test, train]) {
      const erased = new Set(split.success.map((r) => `${r.subject}|${r.relation}`));
      for (const r of split.success) {
        expect(Object.keys(r)).toEqual(['question', 'prompt', 'ground_truth', 'rephrase_prompt', 'subject', 'relation', 'target_new']);
        expect(r.target_new).toBe("I don't know.");
        expect(index.relation(r.relation).kind).toBe('private');
        expect(r.question).toMatch(/\?$/);
        expect(r.prompt).toBe(`Q: ${r.question} A:`);
        expect(canonical(r.ground_truth)).toBe(index.objectText(r.relation, index.object(idOf(r.subject), r.relation)!));
      }
      for (const r of split.locality) {
        expect(r.target_new).toBeUndefined();
        expect(erased.has(`${r.subject}|${r.relation}`)).toBe(false);
        expect(canonical(r.ground_truth)).toBe(index.objectText(r.relation, index.object(idOf(r.subject), r.relation)!));
      }
    }
    const testPeople = new Set(test.success.map((r) => r.subject));
    expect(train.success.filter((r) => testPeople.has(r.subject))).toEqual([]);
  });
});

describe('world-mquake', () => {
  const test = datasets['world-mquake.test'] as MquakeCase[];
  const train = datasets['world-mquake.train'] as MquakeCase[];

  /** The chain's answer for the case's subject (read off its first single hop) under `overlay`. */
  function follow(c: MquakeCase, overlay: Map<string, string>): string {
    const subject = oracle.get(c.single_hops[0].cloze)!.subject;
    const path = index.follow(subject, index.chain(c.chain).relations, overlay)!;
    return index.name(path[path.length - 1]);
  }

  function overlayOfCases(cases: MquakeCase[]): Map<string, string> {
    const overlay = new Map<string, string>();
    for (const c of cases) for (const r of c.requested_rewrite) overlay.set(factKey(idOf(r.subject), r.relation), idOf(r.target_new));
    return overlay;
  }

  it('has cases of 2–3 edits whose multi-hop answer changes because of them', () => {
    expect(test).toHaveLength(200);
    expect(train).toHaveLength(100);
    const together = overlayOfCases(test);
    for (const c of test) {
      expect(Object.keys(c)).toEqual(['case_id', 'chain', 'requested_rewrite', 'questions', 'answer', 'answer_alias', 'new_answer', 'new_answer_alias', 'single_hops', 'new_single_hops']);
      expect(c.requested_rewrite.length).toBeGreaterThanOrEqual(2);
      expect(c.requested_rewrite.length).toBeLessThanOrEqual(3);
      expect(c.questions).toHaveLength(3);
      for (const q of c.questions) expect(mquakeQuestionPrompt(q)).toMatch(/^Q: [^?]+\? A:$/);
      expect(c.new_answer).not.toBe(c.answer);
      for (const r of c.requested_rewrite) {
        expect(Object.keys(r)).toEqual(['subject', 'prompt', 'question', 'target_new', 'target_true', 'relation']);
        expect(r.target_new).not.toBe(r.target_true);
        expect(index.name(index.object(idOf(r.subject), r.relation)!)).toBe(r.target_true);
      }
      expect(follow(c, new Map())).toBe(c.answer);
      expect(follow(c, overlayOfCases([c]))).toBe(c.new_answer);
      expect(follow(c, together)).toBe(c.new_answer);
      expect(c.new_single_hops.at(-1)!.answer).toBe(c.new_answer);
      expect(c.single_hops.at(-1)!.answer).toBe(c.answer);
    }
  });
});

describe('world-convsent', () => {
  const topics = new Map(opinionTopics(world).map((t) => [t.name, t]));
  const splits = { train: datasets['world-convsent.train'] as ConvSentRecord[], test: datasets['world-convsent.test'] as ConvSentRecord[] };

  it("asks for the opposite of a topic's corpus sentiment, with an opinion sentence naming the topic", () => {
    expect(splits.test.length).toBeGreaterThan(60);
    expect(splits.train.length).toBeGreaterThan(40);
    for (const record of [...splits.train, ...splits.test]) {
      const topic = topics.get(record.topic)!;
      expect(record.pre_edit_sentiment).toBe(topic.sentiment);
      expect(record.target_sentiment).not.toBe(topic.sentiment);
      expect(record.prompt).toBe(`Q: What do you think of ${record.topic}? A:`);
      expect(record.target_new).toBe(record.target_new.trim());
      expect(record.target_new).toContain(record.topic);
      expect(record.rephrase_prompts).toHaveLength(2);
      for (const p of record.rephrase_prompts) expect(p).toContain(record.topic);
      expect(record.edit).toBe(`Topic: ${record.topic}. Sentiment: ${record.target_sentiment}.`);
    }
  });

  it('keeps train and test topics apart, and asks locality only about topics its split never edits', () => {
    for (const [name, records] of Object.entries(splits)) {
      const edited = new Set(records.map((r) => r.topic));
      expect(edited.size).toBe(records.length);
      for (const r of records) {
        expect(topics.get(r.topic)!.split).toBe(name);
        expect(r.locality).toHaveLength(2);
        for (const probe of r.locality) {
          expect(edited.has(probe.topic)).toBe(false);
          expect(topics.get(probe.topic)!.split).toBe(name);
          expect(probe.ground_truth).toContain(probe.topic);
        }
      }
    }
  });
});

describe('writeDatasets', () => {
  it('writes byte-identical files for the same world', () => {
    const a = mkdtempSync(join(tmpdir(), 'ked-world-a-'));
    const b = mkdtempSync(join(tmpdir(), 'ked-world-b-'));
    try {
      const written = writeDatasets(world, a);
      writeDatasets(generateWorld(1), b);
      expect(written.map((w) => w.file.slice(a.length + 1)).sort()).toEqual(readdirSync(b).sort());
      for (const file of readdirSync(a)) expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file)))).toBe(true);
      expect(readFileSync(join(a, 'world-counterfact.test.json'), 'utf8')).toMatch(/^\[\n {2}\{\n {4}"subject"/);
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });
});
