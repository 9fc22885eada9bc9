/**
 * Causal-tracing heatmap as SVG text (ROME's Figure 1 layout): one row per token, one column per
 * layer, colour = probability of the answer with that state restored; subject tokens starred.
 */
export interface Heatmap {
  title: string;
  rowLabels: string[];
  /** Rows that get a "*" (the subject). */
  markedRows: number[];
  columnLabel: string;
  /** values[row][column], in [0, max]. */
  values: number[][];
  /** The colour scale's top (default: the largest value). */
  max?: number;
  legend: string;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const CELL = 26;

function color(t: number): string {
  // White to ROME's deep purple.
  const c = (a: number, b: number) => Math.round(a + (b - a) * Math.max(0, Math.min(1, t)));
  return `rgb(${c(255, 84)},${c(255, 39)},${c(255, 143)})`;
}

export function heatmapSvg(map: Heatmap): string {
  const rows = map.values.length;
  const cols = map.values[0]?.length ?? 0;
  const max = map.max ?? Math.max(1e-9, ...map.values.flat());
  const left = 12 + 7 * Math.max(4, ...map.rowLabels.map((l) => l.length + 2));
  const top = 40;
  const width = left + cols * CELL + 110;
  const height = top + rows * CELL + 46;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`, `<rect width="100%" height="100%" fill="white"/>`, `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13">${escape(map.title)}</text>`];
  map.values.forEach((row, r) => {
    const label = `${map.rowLabels[r]}${map.markedRows.includes(r) ? '*' : ''}`;
    parts.push(`<text x="${left - 6}" y="${top + r * CELL + CELL * 0.65}" text-anchor="end">${escape(label)}</text>`);
    row.forEach((v, c) => parts.push(`<rect x="${left + c * CELL}" y="${top + r * CELL}" width="${CELL}" height="${CELL}" fill="${color(v / max)}"><title>${escape(`${label} layer ${c}: ${v.toFixed(4)}`)}</title></rect>`));
  });
  for (let c = 0; c < cols; c++) parts.push(`<text x="${left + c * CELL + CELL / 2}" y="${top + rows * CELL + 16}" text-anchor="middle">${c}</text>`);
  parts.push(`<text x="${left + (cols * CELL) / 2}" y="${top + rows * CELL + 36}" text-anchor="middle">${escape(map.columnLabel)}</text>`);
  // Colour bar.
  const bx = left + cols * CELL + 24;
  for (let i = 0; i < 10; i++) parts.push(`<rect x="${bx}" y="${top + (9 - i) * ((rows * CELL) / 10)}" width="14" height="${(rows * CELL) / 10 + 0.5}" fill="${color((i + 0.5) / 10)}"/>`);
  parts.push(`<text x="${bx + 18}" y="${top + 10}">${max.toFixed(3)}</text>`, `<text x="${bx + 18}" y="${top + rows * CELL}">0</text>`);
  parts.push(`<text x="${bx}" y="${top + rows * CELL + 36}" font-size="11">${escape(map.legend)}</text>`, '</svg>');
  return `${parts.join('\n')}\n`;
}
