import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TABLE4_DATASETS, TABLE4_METHODS, table4Plan } from './table4-suite';

describe('the Table-4 plan', () => {
  it('runs every method ked has on every dataset the world has, and names the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-table4-'));
    for (const name of ['world-zsre', 'world-counterfact']) writeFileSync(join(dir, `${name}.test.json`), '[]');
    const plan = table4Plan(dir, ['none', 'rome', 'ice', 'serac']);
    expect(plan.methods).toEqual(['serac', 'ice', 'rome']); // Table 4's order, not the registry's
    expect(plan.missingMethods).toEqual(TABLE4_METHODS.filter((m) => !['serac', 'ice', 'rome'].includes(m)));
    expect(plan.datasetFiles).toEqual([join(dir, 'world-zsre.test.json'), join(dir, 'world-counterfact.test.json')]);
    expect(plan.missingDatasets).toEqual(TABLE4_DATASETS.filter((d) => d !== 'world-zsre' && d !== 'world-counterfact'));
  });

  it('finds all six datasets in data/world, world-convsent included', () => {
    expect(table4Plan(join(__dirname, '..', '..', 'data', 'world'), ['none']).missingDatasets).toEqual([]);
  });

  it('lists the survey\'s eight methods and KnowEdit\'s six datasets', () => {
    for (const m of ['serac', 'ice', 'adalora', 'mend', 'rome', 'memit', 'ft-l', 'ft-m']) expect(TABLE4_METHODS).toContain(m);
    expect(TABLE4_METHODS).toHaveLength(13);
    expect(TABLE4_DATASETS).toHaveLength(6);
  });
});
