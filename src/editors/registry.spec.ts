import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMethod, methodNames } from './builtin-methods';
import { MethodCatalogue } from './method-catalogue';
import { HPARAMS_VERSION, loadHparams } from './registry';

describe('the method registry', () => {
  it('knows none and ice with their capabilities', () => {
    expect(methodNames()).toEqual(expect.arrayContaining(['ice', 'none']));
    expect(getMethod('ice').capabilities).toEqual({ batchable: true, routable: true, committable: false, needsTrainSplit: false });
    expect(methodNames()).toEqual(['adalora', 'alphaedit', 'ft-l', 'ft-m', 'grace', 'ice', 'ike', 'lora', 'mello', 'melo', 'memit', 'mend', 'none', 'pokemqa', 'rome', 'serac']);
    expect(() => getMethod('rome2')).toThrow('unknown edit method "rome2" (known: adalora, alphaedit, ft-l, ft-m, grace, ice, ike, lora, mello, melo, memit, mend, none, pokemqa, rome, serac)');
    expect(getMethod('memit').capabilities).toEqual({ batchable: true, routable: true, committable: true, needsTrainSplit: false });
    expect(getMethod('rome').capabilities.batchable).toBe(false);
  });

  it.each(['rome', 'memit', 'alphaedit', 'ft-l', 'ft-m', 'ike', 'mello', 'pokemqa', 'lora', 'adalora', 'melo', 'grace', 'serac', 'mend'])('%s: the JSON beside the method is its documented defaults', (name) => {
    const file = join(__dirname, name, `${name}.json`);
    const { version, ...settings } = JSON.parse(readFileSync(file, 'utf8'));
    expect(version).toBe(HPARAMS_VERSION);
    expect(settings).toEqual(loadHparams(getMethod(name)));
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

  it('refuses a file written in another format version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-hparams-'));
    try {
      writeFileSync(join(dir, 'ice.json'), JSON.stringify({ version: 2, template: 'x' }));
      expect(() => loadHparams(getMethod('ice'), join(dir, 'ice.json'))).toThrow('ice.json: "version" 2 is not a format this ked reads (it reads version 1)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the method catalogue', () => {
  it("reads a deployment's files once over the defaults, and says where each method's settings came from", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-catalogue-'));
    try {
      writeFileSync(join(dir, 'rome.json'), JSON.stringify({ version: 1, layer: 0 }));
      const catalogue = new MethodCatalogue(dir);
      expect((catalogue.hparams('rome') as { layer: number }).layer).toBe(0);
      expect(catalogue.source('rome')).toBe(join(dir, 'rome.json'));
      expect(catalogue.hparams('memit')).toEqual(loadHparams(getMethod('memit')));
      expect(catalogue.source('memit')).toBe('defaults');
      expect(new MethodCatalogue().hparams('rome')).toEqual(loadHparams(getMethod('rome')));
      writeFileSync(join(dir, 'rom.json'), '{}');
      expect(() => new MethodCatalogue(dir)).toThrow(/rom\.json: no edit method is named "rom"/);
      expect(() => new MethodCatalogue(join(dir, 'missing'))).toThrow(/no such directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('owns each method\'s state and resets it', () => {
    const catalogue = new MethodCatalogue();
    catalogue.state('alphaedit').set('preserved', [1]);
    expect(catalogue.state('alphaedit').get('preserved')).toEqual([1]);
    expect(catalogue.resetState('alphaedit').size).toBe(0);
    expect(catalogue.hasState('memit')).toBe(false);
  });
});
