import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMethod, methodNames } from './builtin-methods';
import { loadHparams } from './registry';

describe('the method registry', () => {
  it('knows none and ice with their capabilities', () => {
    expect(methodNames()).toEqual(expect.arrayContaining(['ice', 'none']));
    expect(getMethod('ice').capabilities).toEqual({ batchable: true, routable: true, committable: false, needsTrainSplit: false });
    expect(methodNames()).toEqual(['alphaedit', 'ft-l', 'ft-m', 'grace', 'ice', 'ike', 'lora', 'mello', 'melo', 'memit', 'none', 'pokemqa', 'rome']);
    expect(() => getMethod('rome2')).toThrow('unknown edit method "rome2" (known: alphaedit, ft-l, ft-m, grace, ice, ike, lora, mello, melo, memit, none, pokemqa, rome)');
    expect(getMethod('memit').capabilities).toEqual({ batchable: true, routable: true, committable: true, needsTrainSplit: false });
    expect(getMethod('rome').capabilities.batchable).toBe(false);
  });

  it.each(['rome', 'memit', 'alphaedit', 'ft-l', 'ft-m', 'ike', 'mello', 'pokemqa', 'lora', 'melo', 'grace'])('%s: the JSON beside the method is its documented defaults', (name) => {
    const file = join(__dirname, name, `${name}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(loadHparams(getMethod(name)));
    expect(loadHparams(getMethod(name), file)).toEqual(loadHparams(getMethod(name)));
  });

  it('a wrong layer type in a method file names the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-hparams-'));
    try {
      writeFileSync(join(dir, 'rome.json'), JSON.stringify({ layer: 'middle' }));
      expect(() => loadHparams(getMethod('rome'), join(dir, 'rome.json'))).toThrow(/rome\.json: "layer"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads hyper-parameters over the defaults and names the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-hparams-'));
    try {
      expect(loadHparams(getMethod('ice'))).toEqual({ template: 'Imagine that {prompt} {target}.' });
      writeFileSync(join(dir, 'ice.json'), JSON.stringify({ template: 7 }));
      expect(() => loadHparams(getMethod('ice'), join(dir, 'ice.json'))).toThrow('ice.json: "template" must be a string');
      writeFileSync(join(dir, 'ice.json'), JSON.stringify({ tempalte: 'x' }));
      expect(() => loadHparams(getMethod('ice'), join(dir, 'ice.json'))).toThrow('ice.json: unknown field "tempalte"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ICE states the new fact in the fixture corpus's format", async () => {
    const ice = getMethod('ice');
    const ops = await ice.compute({} as never, [{ prompt: 'Leo Arons died in', target_new: 'Berlin' }], loadHparams(ice));
    expect(ops).toEqual([{ kind: 'context', method: 'ice', requests: [0], text: 'Imagine that Leo Arons died in Berlin.' }]);
    const [erasure] = await ice.compute({} as never, [{ prompt: 'Q: Who is Jane Roe? A:', target_new: "I don't know." }], loadHparams(ice));
    expect(erasure).toMatchObject({ text: "Imagine that Q: Who is Jane Roe? A: I don't know." });
  });
});
