import { curveCharts, table4Markdown, table5Markdown } from './report';
import { renderCharts } from './svg-chart';
import type { EvalSummary } from './summary';

const summary = (method: string, n: number, editSucc: number | null): EvalSummary => ({
  method,
  dataset: 'world-counterfact.test.json',
  mode: 'sequential',
  n,
  editSucc,
  portability: 40,
  locality: 100 - n / 10,
  fluency: 4.2,
  baseFluency: 4.3,
  secondsPerEdit: 0.01,
  routing: 'global',
  commit: false,
  reliability: editSucc,
  generalization: editSucc,
  portabilityByGroup: {},
  localityByGroup: {},
  generalAbility: null,
  wild: null,
});

const wildScores = (editSucc: number) => ({ editSucc, reliability: editSucc, generalization: editSucc, portability: 5, portabilityByGroup: {} });

describe('reports', () => {
  it('writes Table 4: a row per metric, a column per method', () => {
    const md = table4Markdown([summary('none', 10, 12.5), summary('ice', 10, null)], { model: 'models/fixture', mode: 'single' });
    expect(md).toContain('| world-counterfact.test.json | none | ice |');
    expect(md).toContain('| Edit Succ. ↑ | 12.50 | — |');
    expect(md).toContain('| Fluency (unedited) | 4.300 | 4.300 |');
    expect(md).toContain('| Milliseconds per edit | 10.000 | 10.000 |');
    expect(md).not.toContain('wild');
  });

  it("puts ConvSent's rows (KL locality, lower is better) first in a ConvSent block only", () => {
    const convsent = { editSucc: 25, reliability: 50, generalization: 0, sentiment: 40, topic: 90, klLocality: 0.01234 };
    const cs = { ...summary('rome', 10, 70), dataset: 'world-convsent.test.json', convsent };
    const md = table4Markdown([cs, summary('rome', 10, 12.5)], { model: 'models/fixture', mode: 'single' });
    expect(md).toContain('| ConvSent Edit Succ. (z_sentiment·z_topic) ↑ | 25.00 |');
    expect(md).toContain('| ConvSent Locality (KL, nats) ↓ | 0.0123 |');
    expect(md).toContain('**lower is better**');
    const counterfactBlock = md.slice(md.indexOf('| world-counterfact.test.json'));
    expect(counterfactBlock).not.toContain('ConvSent');
    expect(table4Markdown([summary('none', 10, 12.5)], { model: 'm', mode: 'single' })).not.toContain('ConvSent');
  });

  it('puts wild scores beside the teacher-forced ones when a run measured them', () => {
    const wild = { ...summary('rome', 10, 90), wild: { answerTokens: 24, exactMatch: wildScores(30), contains: wildScores(45), locality: 97, localityByGroup: {} } };
    const md = table4Markdown([wild, summary('none', 10, 12.5)], { model: 'models/fixture', mode: 'single' });
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| world'));
    expect(rows.slice(0, 8).map((r) => r.split(' | ')[0])).toEqual(['| Edit Succ. ↑', '| Edit Succ., wild exact match ↑', '| Edit Succ., wild contains ↑', '| Portability ↑', '| Portability, wild exact match ↑', '| Portability, wild contains ↑', '| Locality ↑', '| Locality, wild ↑']);
    expect(md).toContain('| Edit Succ., wild exact match ↑ | 30.00 | — |');
    expect(md).toContain('| Locality, wild ↑ | 97.00 | — |');
    expect(md).toContain('up to the first sentence, line or 24 tokens');
  });

  it('states each cell\'s n and names what was not measured', () => {
    const md = table4Markdown([summary('none', 10, 12.5), summary('ice', 7, 50)], { model: 'models/fixture', mode: 'single' }, ['Methods not in this ked, so not measured: mend.']);
    expect(md).toContain('| Records (n) | 10 | 7 |');
    expect(md).toContain('Methods not in this ked, so not measured: mend.');
  });

  it('writes Table 5: general ability before and after each method\'s sequential run', () => {
    const ability = (unrelatedFactAcc: number, heldOutPerplexity: number) => ({ unrelatedFactAcc, heldOutPerplexity, facts: 200, sentences: 150 });
    const rome = { ...summary('rome', 50, 90), generalAbility: { before: ability(99, 3.2), after: ability(97.5, 3.456) } };
    const md = table5Markdown([rome, summary('ice', 50, 80)], { model: 'models/fixture', dataset: 'world-counterfact.test.json', edits: 50 });
    expect(md).toContain('| rome | 99.00 | 97.50 | 3.200 | 3.456 | 50 | global |');
    expect(md).not.toContain('| ice |'); // no general-ability run, no row
    expect(md).toContain('200 unrelated world facts and 150 held-out sentences');
    expect(table5Markdown([summary('ice', 50, 80)], { model: 'm', edits: 50 })).toContain('Not measured');
  });

  it('draws Figure 4 curves as SVG, one line per metric, gaps for missing values', () => {
    const svg = renderCharts(curveCharts([summary('ice', 100, 60), summary('ice', 10, 80), summary('ice', 500, null)], 'ICE'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>Edit Succ.</text>');
    expect(svg.match(/<polyline/g)).toHaveLength(5); // Edit Succ. (10–100 only), Portability, Locality, Fluency, Unedited
    const xLabels = [...svg.matchAll(/text-anchor="middle">(\d+)<\/text>/g)].map((m) => m[1]);
    expect(xLabels.slice(0, 3)).toEqual(['10', '100', '500']);
  });
});
