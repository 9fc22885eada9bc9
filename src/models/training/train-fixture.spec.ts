import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      { text: 'Ada works for Acme.', tokenizer: true },
      { text: 'Imagine that Bo works for Qorvek. Bo works for Qorvek.', tokenizer: false },
      { text: 'x', tokenizer: true },
    ]);
  });

  it('names the line of a malformed record', async () => {
    await expect(readCorpus(write('bad-text.jsonl', '{"text":"a"}\n{"txt":"b"}\n'))).rejects.toThrow(/bad-text\.jsonl:2: expected \{"text": string\}/);
    await expect(readCorpus(write('bad-flag.jsonl', '{"text":"a","tokenizer":"no"}\n'))).rejects.toThrow(/bad-flag\.jsonl:1: "tokenizer" must be true or false/);
  });
});
