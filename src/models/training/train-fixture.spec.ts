import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentsForEpoch } from './made-up-name';
import { readCorpus } from './train-fixture';

describe('readCorpus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ked-corpus-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('keeps every document for the model and marks those the tokenizer must skip', async () => {
    const path = write('corpus.jsonl', '{"text":"Ada works for Acme."}\n\n{"text":"Imagine that Bo works for Qorvek. Bo works for Qorvek.","tokenizer":false}\n{"text":"x","tokenizer":true}\n');
    expect(await readCorpus(path)).toEqual([
      { text: 'Ada works for Acme.', tokenizer: true, freshNames: [] },
      { text: 'Imagine that Bo works for Qorvek. Bo works for Qorvek.', tokenizer: false, freshNames: [] },
      { text: 'x', tokenizer: true, freshNames: [] },
    ]);
  });

  it('reads the names a line renews every epoch', async () => {
    const path = write('fresh.jsonl', '{"text":"Imagine that Bo works for Qorvek Ab. Bo works for Qorvek Ab.","tokenizer":false,"fresh":["Qorvek Ab"]}\n');
    expect(await readCorpus(path)).toEqual([{ text: 'Imagine that Bo works for Qorvek Ab. Bo works for Qorvek Ab.', tokenizer: false, freshNames: ['Qorvek Ab'] }]);
    await expect(readCorpus(write('bad-fresh.jsonl', '{"text":"Bo works for Qorvek.","fresh":["Zup"]}\n'))).rejects.toThrow(/bad-fresh\.jsonl:1: "fresh" must list names that occur in "text"/);
    await expect(readCorpus(write('bad-fresh2.jsonl', '{"text":"a","fresh":"a"}\n'))).rejects.toThrow(/"fresh" must list names/);
  });

  it('names the line of a malformed record', async () => {
    await expect(readCorpus(write('bad-text.jsonl', '{"text":"a"}\n{"txt":"b"}\n'))).rejects.toThrow(/bad-text\.jsonl:2: expected \{"text": string\}/);
    await expect(readCorpus(write('bad-flag.jsonl', '{"text":"a","tokenizer":"no"}\n'))).rejects.toThrow(/bad-flag\.jsonl:1: "tokenizer" must be true or false/);
  });
});

describe('documentsForEpoch', () => {
  const documents = [
    { text: 'Imagine that Bo works for Qorvek Ab. Bo works for Qorvek Ab.', freshNames: ['Qorvek Ab'] },
    { text: 'Ada works for Acme.', freshNames: [] },
  ];

  it('keeps epoch 0 as written and gives every later epoch a new name in every place it occurs', () => {
    expect(documentsForEpoch(documents, 1, 0)).toEqual(documents.map((d) => d.text));
    const seen = new Set<string>();
    for (let epoch = 1; epoch <= 20; epoch++) {
      const [renamed, untouched] = documentsForEpoch(documents, 1, epoch);
      expect(untouched).toBe('Ada works for Acme.');
      const match = /^Imagine that Bo works for ([A-Z][a-z]+(?: [A-Z][a-z]+)*)\. Bo works for \1\.$/.exec(renamed);
      expect(match).not.toBeNull();
      expect(renamed).not.toContain('Qorvek Ab');
      seen.add(match![1]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(19); // new names, not one name reused
    expect(documentsForEpoch(documents, 1, 5)).toEqual(documentsForEpoch(documents, 1, 5)); // seeded: a resumed run sees the same
    expect(documentsForEpoch(documents, 2, 5)).not.toEqual(documentsForEpoch(documents, 1, 5));
  });

  it('renames whole words only, so a short name inside another word stays', () => {
    const [renamed] = documentsForEpoch([{ text: 'Imagine that Futaholm is in Fu. The city of Futaholm is in Fu.', freshNames: ['Fu'] }], 1, 3);
    expect(renamed).toMatch(/^Imagine that Futaholm is in ([A-Z][a-z]+(?: [A-Z][a-z]+)*)\. The city of Futaholm is in \1\.$/);
    expect(renamed).not.toMatch(/in Fu\./);
  });
});
