/**
 * A small line chart as SVG text (no dependency): categorical x (the survey's Figure 4 spaces
 * 10, 100, 500, 1000 edits evenly), linear y, one polyline with markers per series, a legend.
 */
export interface ChartSeries {
  name: string;
  /** One value per x label; null leaves a gap. */
  values: Array<number | null>;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  xLabels: string[];
  series: ChartSeries[];
  /** Fixed y range (e.g. 0–100 for percentages); default: from the data. */
  yRange?: [number, number];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const W = 420;
const H = 300;
const M = { left: 52, right: 16, top: 34, bottom: 78 };

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (x: number) => (Math.abs(x) >= 100 || Number.isInteger(x) ? String(Math.round(x)) : x.toFixed(1));

/** One chart as an SVG group of size W × H, translated to (x, y). */
function chartGroup(chart: LineChart, x0: number, y0: number): string {
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  let [lo, hi] = chart.yRange ?? [Math.min(...values, 0), Math.max(...values, 1)];
  if (hi <= lo) hi = lo + 1;
  if (!chart.yRange) [lo, hi] = [lo, hi + (hi - lo) * 0.1];
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const n = chart.xLabels.length;
  const px = (i: number) => M.left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const py = (v: number) => M.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [`<g transform="translate(${x0},${y0})" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escape(chart.title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = lo + ((hi - lo) * t) / 4;
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`, `<text x="${M.left - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  chart.xLabels.forEach((label, i) => parts.push(`<text x="${px(i).toFixed(1)}" y="${M.top + plotH + 16}" text-anchor="middle">${escape(label)}</text>`));
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${M.left + plotW / 2}" y="${M.top + plotH + 32}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(14,${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  chart.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    // Consecutive non-null points form one polyline; a null breaks the line.
    const runs: string[][] = [[]];
    s.values.forEach((v, i) => {
      if (v === null) return void runs.push([]);
      runs[runs.length - 1].push(`${px(i).toFixed(1)},${py(v).toFixed(1)}`);
      parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${color}"/>`);
    });
    for (const run of runs) if (run.length > 1) parts.push(`<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const lx = M.left + (k % 3) * 120;
    const ly = M.top + plotH + 48 + Math.floor(k / 3) * 14;
    parts.push(`<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`, `<text x="${lx + 20}" y="${ly}">${escape(s.name)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** Charts side by side in one SVG document. */
export function renderCharts(charts: LineChart[]): string {
  const body = charts.map((c, i) => chartGroup(c, i * W, 0)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * charts.length}" height="${H}" viewBox="0 0 ${W * charts.length} ${H}">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}
