import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from './load-dataset';

const WORLD = join(__dirname, '..', '..', '..', 'data', 'world');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ked-dataset-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, json: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('loadDataset', () => {
  it('reads the world datasets of every kind', () => {
    const counterfact = loadDataset(join(WORLD, 'world-counterfact.test.json'));
    expect(counterfact).toMatchObject({ name: 'world-counterfact.test.json', kind: 'fact-edit' });
    expect(counterfact.cases).toHaveLength(1000);
    const first = counterfact.cases[0];
    expect(first.requests[0]).toMatchObject({ subject: 'Feisisar Kaimepan', target_new: 'Vaba Open University', ground_truth: ['Stabe Open University'] });
    expect(first.portability.Reasoning[0].answers).toEqual(['Graburg', 'the city of Graburg']);
    expect(first.portability.Logical_Generalization).toEqual([]);
    expect(first.locality.Relation_Specificity[0].answers).toEqual(['Botese']);

    const sanitation = loadDataset(join(WORLD, 'world-sanitation.test.json'));
    expect(sanitation.kind).toBe('sanitation');
    expect(sanitation.cases[0].reliability[0]).toEqual({ prompt: 'Q: What is the phone number of Gusir Heto? A:', answers: ["I don't know."] });
    expect(sanitation.cases.reduce((n, c) => n + c.locality.Sanitation_Locality.length, 0)).toBe(200);

    const mquake = loadDataset(join(WORLD, 'world-mquake.test.json'));
    expect(mquake.kind).toBe('mquake');
    expect(mquake.cases[0].requests).toHaveLength(2);
    expect(mquake.cases[0].portability.Multi_Hop[0]).toEqual({ prompt: 'Q: Where was the author of Feather of Mountain born? A:', answers: ['Futaholm', 'the city of Futaholm'] });
  });

  it('names the file, the record and the field of a malformed record', () => {
    const records = JSON.parse(readFileSync(join(WORLD, 'world-counterfact.test.json'), 'utf8')).slice(0, 20);
    records[17].rephrase_prompt = 42;
    expect(() => loadDataset(write('world-counterfact.test.json', records))).toThrow('world-counterfact.test.json: record 17: "rephrase_prompt" must be a string');
    records[17].rephrase_prompt = 'fine';
    delete records[3].target_new;
    expect(() => loadDataset(write('bad.json', records))).toThrow('bad.json: record 3: "target_new" must be a string');
    records[3].target_new = 'fine';
    records[5].portability.Subject_Aliasing[0].ground_truth = [[]];
    expect(() => loadDataset(write('bad.json', records))).toThrow('bad.json: record 5: "portability.Subject_Aliasing[0].ground_truth[0]" must not be empty');
    records[5].portability.Subject_Aliasing[0].ground_truth = 7;
    expect(() => loadDataset(write('bad.json', records))).toThrow('bad.json: record 5: "portability.Subject_Aliasing[0].ground_truth" must be a string, a list of strings or a list of alias lists');
  });

  it('reads WikiBio records: the passage is the prompt, the labelled sentence the target, locality one probe or a list', () => {
    const wikibio = loadDataset(join(WORLD, 'world-wikibio.test.json'));
    expect(wikibio.kind).toBe('wikibio');
    const [first] = wikibio.cases;
    expect(first.requests[0]).toEqual({ subject: 'Panetel Greifu', prompt: first.reliability[0].prompt, target_new: "Panetel Greifu's place of birth is Lumabok." });
    expect(first.reliability[0].prompt).toMatch(/^The alma mater of Panetel Greifu is .*\.$/);
    expect([first.generalization, first.portability]).toEqual([[], {}]);
    expect(first.locality.Relation_Specificity[0].answers).toEqual(['Girovia', 'the Republic of Girovia']);
    const record = { text: 'Ann Lee is a painter.', labels: 'Ann Lee lives in Oslo.', concept: 'Ann Lee', locality: { Relation_Specificity: { prompt: 'Bo Ek lives in', ground_truth: 'Rome' } } };
    expect(loadDataset(write('wikibio.json', [record])).cases[0].locality.Relation_Specificity).toEqual([{ prompt: 'Bo Ek lives in', answers: ['Rome'] }]);
    expect(() => loadDataset(write('wikibio.json', [{ ...record, concept: '' }]))).toThrow('wikibio.json: record 0: "concept" must not be empty');
  });

  it('reads ConvSent records: prompt → opinion sentence, rephrasings as generalization, other topics as locality, the sentiment to judge', () => {
    const convsent = loadDataset(join(WORLD, 'world-convsent.test.json'));
    expect(convsent.kind).toBe('convsent');
    const [first] = convsent.cases;
    expect(first.requests[0]).toEqual({ subject: 'Jiburg', prompt: 'Q: What do you think of Jiburg? A:', target_new: 'I think Jiburg is unpleasant.', rephrase_prompt: 'Q: How do you feel about Jiburg? A:' });
    expect(first.generalization.map((p) => p.prompt)).toEqual(['Q: How do you feel about Jiburg? A:', 'Q: What is your opinion of Jiburg? A:']);
    expect(first.locality.Other_Topics[0]).toEqual({ prompt: 'Q: What do you think of Faport? A:', answers: ['I think Faport is pleasant.'] });
    expect(first.convsent).toEqual({ names: ['Jiburg', 'the city of Jiburg'], sentiment: 'negative' });
    const record = { topic: 'tea', prompt: 'Q: What do you think of tea? A:', target_sentiment: 'positive', target_new: 'I think tea is nice.' };
    expect(loadDataset(write('convsent.json', [record])).cases[0]).toMatchObject({ generalization: [], locality: {}, convsent: { names: ['tea'], sentiment: 'positive' } });
    expect(() => loadDataset(write('convsent.json', [{ ...record, target_sentiment: 'sad' }]))).toThrow('convsent.json: record 0: "target_sentiment"');
  });

  it('rejects files that are no dataset', () => {
    expect(() => loadDataset(write('x.json', { success: [{ question: 'Q?', ground_truth: 'a' }], locality: [] }))).toThrow('x.json: success record 0: "target_new" must be a string');
    expect(() => loadDataset(write('y.json', 'text'))).toThrow(/^y\.json: /);
    writeFileSync(join(dir, 'z.json'), '[{');
    expect(() => loadDataset(join(dir, 'z.json'))).toThrow(/^z\.json: /);
  });
});
