import { curveCharts, table4Markdown } from './report';
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
});

describe('reports', () => {
  it('writes Table 4: a row per metric, a column per method', () => {
    const md = table4Markdown([summary('none', 10, 12.5), summary('ice', 10, null)], { model: 'models/fixture', mode: 'single' });
    expect(md).toContain('| world-counterfact.test.json | none | ice |');
    expect(md).toContain('| Edit Succ. ↑ | 12.50 | — |');
    expect(md).toContain('| Fluency (unedited) | 4.300 | 4.300 |');
    expect(md).toContain('| Milliseconds per edit | 10.000 | 10.000 |');
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
