import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';
import { buildCorpus, corpusStats, corpusToJsonl } from './build-corpus';
import { describeEntity } from '../../editors/knowledge-base';
import { factLines } from './fact-lines';
import { generateWorld } from '../generate-world';
import { fill, statementOf } from '../render';
import type { Chain, Relation } from '../types';
import { WorldIndex } from '../world-index';

describe('buildCorpus', () => {
  const world = generateWorld(1);
  const index = new WorldIndex(world);
  const corpus = buildCorpus(world);
  const texts = new Set(corpus.map((e) => e.text));
  const byKind = (kind: string) => corpus.filter((e) => e.kind === kind).map((e) => e.text);

  it('gives byte-identical JSONL for the same world', () => {
    expect(corpusToJsonl(buildCorpus(generateWorld(1)))).toBe(corpusToJsonl(corpus));
  });

  it('stays inside the fixture budget (~1–1.5 M tokens at 1.3 tokens a word) with short examples', () => {
    const stats = corpusStats(corpus);
    expect(stats.estimatedTokens).toBeGreaterThan(600_000);
    expect(stats.estimatedTokens).toBeLessThan(1_500_000);
    expect(stats.maxWordsPerLine).toBeLessThanOrEqual(84);
    expect(stats.linesOver60Words / stats.lines).toBeLessThan(0.05);
  });

  it('writes one {"text"} object per line', () => {
    const lines = corpusToJsonl(corpus.slice(0, 50)).trimEnd().split('\n');
    expect(lines).toHaveLength(50);
    for (const line of lines) expect(Object.keys(JSON.parse(line))).toEqual(['text']);
  });

  it('teaches every fact in every train template and never in a held-out one', () => {
    for (const fact of world.facts) {
      const relation = index.relation(fact.relation);
      for (const template of relation.templates) {
        const line = statementOf(template, index.name(fact.subject), index.objectText(fact.relation, fact.object));
        expect(texts.has(line)).toBe(template.split === 'train');
      }
      for (const template of relation.paraphrases) {
        // The default corpus (the committed fixture's recipe) leaves the paraphrases out.
        expect(texts.has(statementOf(template, index.name(fact.subject), index.objectText(fact.relation, fact.object)))).toBe(false);
      }
    }
  });

  it('states every fact in its paraphrases too when asked (--paraphrases 8)', () => {
    const lines = new Set(factLines(index, 8).map((e) => e.text));
    for (const fact of world.facts.slice(0, 200)) {
      const relation = index.relation(fact.relation);
      for (const template of relation.paraphrases) expect(lines.has(statementOf(template, index.name(fact.subject), index.objectText(fact.relation, fact.object)))).toBe(true);
    }
    expect(factLines(index, 8).length).toBe(factLines(index).length + world.facts.reduce((n, f) => n + index.relation(f.relation).paraphrases.length, 0));
  });

  it('gives every corpus relation paraphrases that differ from its templates', () => {
    for (const relation of world.relations.filter((r) => r.kind !== 'dataset_only')) {
      const wordings = new Set(relation.templates.map((t) => t.text.toLowerCase()));
      expect([relation.id, relation.paraphrases.length >= 8]).toEqual([relation.id, true]);
      for (const template of relation.paraphrases) expect([relation.id, wordings.has(template.text.toLowerCase())]).toEqual([relation.id, false]);
    }
  });

  it('words held-out templates only with words the corpus has in other sentences', () => {
    // A model cannot generalise to a word it never saw, so such a template would test the
    // corpus, not rewording. Dataset-only relations may also use their own train wordings'
    // words: the edit that teaches the fact states them.
    const wordsOf = (text: string) => text.replace('{s}', ' ').toLowerCase().match(/[a-z]+/g) ?? [];
    const corpusWords = new Set(corpus.flatMap((e) => wordsOf(e.text)));
    const outsideCorpus = (owner: Relation | Chain) => ('kind' in owner ? owner.kind === 'dataset_only' : !owner.inCorpus);
    const heldOut = [...world.relations, ...world.chains].flatMap((owner) => {
      const known = new Set(outsideCorpus(owner) ? owner.templates.filter((t) => t.split === 'train').flatMap((t) => wordsOf(t.text)) : []);
      return owner.templates.filter((t) => t.split === 'held_out').map((template) => ({ owner, template, known }));
    });
    expect(heldOut.length).toBeGreaterThan(50);
    for (const { owner, template, known } of heldOut) {
      const unknown = wordsOf(template.text).filter((w) => !corpusWords.has(w) && !known.has(w));
      expect([owner.id, template.text, unknown]).toEqual([owner.id, template.text, []]);
      // The wording never occurs in the corpus whole, around any name.
      const wording = new RegExp(template.text.split('{s}').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[A-Z][^.?!\n]*'));
      expect([owner.id, template.text, corpus.some((e) => wording.test(e.text))]).toEqual([owner.id, template.text, false]);
    }
  });

  it('keeps two-hop statements and MeLLo questions of held-out subjects out', () => {
    const heldOutNames = new Set(world.twoHopHeldOut.map((id) => index.name(id)));
    for (const chain of world.chains.filter((c) => c.inCorpus)) {
      for (const subject of index.entitiesOf(chain.subjectType)) {
        const path = index.follow(subject.id, chain.relations)!;
        const line = statementOf(chain.templates.find((t) => t.split === 'train')!, subject.name, index.name(path[path.length - 1]));
        expect(texts.has(line)).toBe(!heldOutNames.has(subject.name));
      }
    }
    const questions = new Set(world.chains.flatMap((chain) => [...heldOutNames].flatMap((name) => chain.templates.map((t) => `Question: ${fill(t, name)}?`))));
    for (const trace of byKind('mello')) expect(questions.has(trace.split('\n')[0])).toBe(false);
  });

  it('never mentions dataset-only people or relations', () => {
    const all = corpus.map((e) => e.text).join('\n');
    for (const person of world.novel.entities) expect(all.includes(person.name)).toBe(false);
    expect(all).not.toMatch(/mentor/i);
  });

  it('lays MeLLo traces out line by line, continuing with a contradicting retrieved fact', () => {
    const traces = byKind('mello');
    const shape = /^Question: [^\n]+\?(\nSubquestion: [^\n]+\?\nGenerated answer: [^\n]+\.\nRetrieved fact: [^\n]+\.){2,3}\nFinal answer: [^\n]+$/;
    for (const trace of traces) expect(trace).toMatch(shape);
    // Some trace must follow a retrieved fact whose object differs from the generated answer.
    const followsRetrieval = traces.some((trace) => {
      const lines = trace.split('\n');
      const generated = lines[2].slice('Generated answer: '.length, -1);
      const retrieved = lines[3];
      return !retrieved.endsWith(` ${generated}.`) && lines[4].includes(retrieved.slice(retrieved.lastIndexOf(' ') + 1, -1));
    });
    expect(followsRetrieval).toBe(true);
  });

  it('has ICE, IKE, erasure and filler examples in their formats', () => {
    for (const line of byKind('ice')) expect(line).toMatch(/^Imagine that [^\n]+\. \S/);
    for (const line of byKind('ike')) expect(line).toMatch(/^New fact: [^\n]+\. \S/);
    for (const line of byKind('erasure')) expect(line).toMatch(/^Forget (everything about|the [a-z ]+ of) [^\n]+\. Q: [^\n]+\? A: \S/);
    expect(byKind('erasure').filter((l) => l.endsWith("A: I don't know.")).length).toBeGreaterThan(1000);
    expect(byKind('erasure').filter((l) => !l.endsWith("A: I don't know.")).length).toBeGreaterThan(500);
    expect(byKind('filler').length).toBeGreaterThan(0);
  });

  it('mixes in-scope ICE answers (the counterfactual) with out-of-scope ones (the truth)', () => {
    const trueLines = new Set(byKind('fact'));
    const ice = byKind('ice').map((line) => line.slice(line.indexOf('. ') + 2));
    const outOfScope = ice.filter((query) => trueLines.has(query)).length;
    expect(outOfScope / ice.length).toBeGreaterThan(0.15);
    expect(outOfScope / ice.length).toBeLessThan(0.6);
  });
});

describe('buildCorpus recipes', () => {
  const world = generateWorld(1);
  const only = { ice: 0, ike: 0, mello: 0, melloThreeHop: 0, erasure: 0, filler: 0 };
  const traces = (options: Parameters<typeof buildCorpus>[1]) => buildCorpus(world, { ...only, ...options }).filter((e) => e.kind === 'mello').map((e) => e.text.split('\n'));

  // The committed fixture's manifest hashes the documents it was trained on; its recipe
  // (models/fixture/README.md) must still write exactly those.
  it("still writes models/fixture's corpus (its manifest's documents hash) from its recipe", () => {
    const recipe = { ice: 3500, ike: 3200, mello: 2000, melloThreeHop: 250, melloOneHop: 600, melloKnowledgePercent: 30, erasure: 1500, filler: 800 };
    const manifest = JSON.parse(readFileSync(join(packageRoot(), 'models', 'fixture', 'manifest.json'), 'utf8')) as { corpusSha256: string };
    const documents = buildCorpus(world, recipe).map((e) => e.text);
    expect(createHash('sha256').update(documents.join('\n')).digest('hex')).toBe(manifest.corpusSha256);
  });

  it('marks the made-up-name lines, and only them, as not for the tokenizer', () => {
    const examples = buildCorpus(world, { ...only, ice: 50, novelCopy: 50 });
    const records = corpusToJsonl(examples).trimEnd().split('\n').map((line) => JSON.parse(line) as { tokenizer?: boolean });
    expect(records.filter((r) => r.tokenizer === false)).toHaveLength(50);
    expect(records.every((r, i) => (r.tokenizer === false) === (examples[i].kind === 'novel_copy'))).toBe(true);
  });

  it('states in-context edits to made-up names and asks them back in a train wording', () => {
    const lines = buildCorpus(world, { ...only, novelCopy: 300 }).filter((e) => e.kind === 'novel_copy').map((e) => e.text);
    expect(lines).toHaveLength(300);
    const names = new Set(world.entities.map((e) => e.name));
    for (const line of lines) {
      const [, edit, query] = /^Imagine that (.+?)\. (\S.*)$/.exec(line)!;
      // The query ends with the name the edit stated, a name the world does not have.
      const name = [...edit.matchAll(/(?:[A-Z][a-z]+ ?){1,3}$/g)][0][0].trim();
      expect(names.has(name)).toBe(false);
      expect(query.endsWith(` ${name}`) || query.endsWith(` ${name}.`)).toBe(true);
    }
    expect(new Set(lines).size).toBeGreaterThan(290);
  });

  it('decomposes a one-hop question into exactly one subquestion about the same subject', () => {
    const oneHop = traces({ melloOneHop: 60 });
    expect(oneHop).toHaveLength(60);
    for (const lines of oneHop) {
      expect(lines.filter((l) => l.startsWith('Subquestion: '))).toHaveLength(1);
      expect(lines[1]).toMatch(/^Subquestion: /);
      expect(lines[lines.length - 1]).toMatch(/^Final answer: /);
      // The subject the question names is the one the subquestion asks about.
      const subject = world.entities.filter((e) => lines[0].includes(e.name) && lines[1].includes(e.name));
      expect(subject.length).toBeGreaterThan(0);
    }
  });

  it("puts PokeMQA's knowledge prompt after the question in the asked share of traces, naming the question's subject and type", () => {
    const all = traces({ mello: 200, melloKnowledgePercent: 100 });
    for (const lines of all) {
      const entity = /^Entity of Question: (.+), an? [a-z ]+\.$/.exec(lines[1]);
      expect(entity).not.toBeNull();
      const subject = world.entities.find((e) => e.name === entity![1])!;
      expect(lines[0]).toContain(subject.name);
      expect(lines[1]).toBe(`Entity of Question: ${describeEntity(subject.name, subject.type)}.`);
    }
    const some = traces({ mello: 400, melloKnowledgePercent: 30 }).filter((lines) => lines[1].startsWith('Entity of Question: ')).length;
    expect(some).toBeGreaterThan(400 * 0.2);
    expect(some).toBeLessThan(400 * 0.4);
    expect(traces({ mello: 200 }).some((lines) => lines.some((l) => l.startsWith('Entity of')))).toBe(false);
  });

  it('draws generic passages without repeats, and refuses a count with no text to draw from', () => {
    const passages = Array.from({ length: 30 }, (_, i) => `Passage number ${i}.`);
    const generic = buildCorpus(world, { ...only, generic: 20 }, passages).filter((e) => e.kind === 'generic').map((e) => e.text);
    expect(generic).toHaveLength(20);
    expect(new Set(generic).size).toBe(20);
    for (const text of generic) expect(passages).toContain(text);
    expect(buildCorpus(world, { ...only, generic: 50 }, passages).filter((e) => e.kind === 'generic')).toHaveLength(30);
    expect(() => buildCorpus(world, { ...only, generic: 5 })).toThrow('--wordnet');
  });
});
