import type { LineChart } from './svg-chart';
import type { EvalSummary } from './summary';

const cell = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));

const CONVSENT_NOTE =
  'ConvSent rows (survey §4.1): the edited model generates its answer to the edit prompt and its rephrasings greedily (one sentence); Edit Succ. = z_sentiment · z_topic, in percent: the answer voices the target sentiment by the world-trained scorer (models/sentiment) and names the topic. ConvSent Locality = KL(unedited ‖ edited) of the next-token distributions on other topics\' prompts, in nats: **lower is better**. The rows below them are the usual teacher-forced scores of the target opinion sentence.';

/** ConvSent's own rows, first in a ConvSent dataset's block. */
const CONVSENT_ROWS: Array<[string, (s: EvalSummary) => string]> = [
  ['ConvSent Edit Succ. (z_sentiment·z_topic) ↑', (s) => cell(s.convsent?.editSucc ?? null)],
  ['ConvSent: target sentiment ↑', (s) => cell(s.convsent?.sentiment ?? null)],
  ['ConvSent: on topic ↑', (s) => cell(s.convsent?.topic ?? null)],
  ['ConvSent Locality (KL, nats) ↓', (s) => cell(s.convsent?.klLocality ?? null, 4)],
];

/**
 * The survey's Table 4 layout: one block per dataset, a row per metric, a column per method.
 * Fluency is the raw n-gram entropy (Table 4 prints it ×100), with the unedited model's beside it.
 */
export function table4Markdown(summaries: readonly EvalSummary[], header: { model: string; mode: string; n?: number }, notes: readonly string[] = []): string {
  const methods = [...new Set(summaries.map((s) => s.method))];
  const datasets = [...new Set(summaries.map((s) => s.dataset))];
  const wildTokens = summaries.find((s) => s.wild)?.wild?.answerTokens;
  const lines = [
    `# Knowledge editing results (KnowEdit metrics, survey Table 4 layout)`,
    '',
    `Model \`${header.model}\`, ${header.mode} editing${header.n ? `, first ${header.n} records per dataset` : ''}. Edit Succ., Portability and Locality in percent (teacher-forced token accuracy; locality = agreement with the unedited model's argmax); Fluency = ROME's weighted bi-/tri-gram entropy of greedy generations (bits; Table 4 shows it ×100).`,
    ...notes.flatMap((note) => ['', note]),
    ...(summaries.some((s) => s.convsent) ? ['', CONVSENT_NOTE] : []),
    ...(wildTokens ? ['', `Wild rows (Yang et al. 2025): the edited model generates its answer greedily, as the daemon serves it, up to the first sentence, line or ${wildTokens} tokens; "exact match" = the SQuAD-normalised answer is the target or an alias, "contains" = it contains one; wild locality = the answer is the unedited model's.`] : []),
    '',
  ];
  const wild = (pick: (w: NonNullable<EvalSummary['wild']>) => number | null) => (s: EvalSummary) => (s.wild ? cell(pick(s.wild)) : '—');
  const wildRows = (rows: Array<[string, (s: EvalSummary) => string]>) => (wildTokens ? rows : []);
  const rows: Array<[string, (s: EvalSummary) => string]> = [
    ['Edit Succ. ↑', (s) => cell(s.editSucc)],
    ...wildRows([
      ['Edit Succ., wild exact match ↑', wild((w) => w.exactMatch.editSucc)],
      ['Edit Succ., wild contains ↑', wild((w) => w.contains.editSucc)],
    ]),
    ['Portability ↑', (s) => cell(s.portability)],
    ...wildRows([
      ['Portability, wild exact match ↑', wild((w) => w.exactMatch.portability)],
      ['Portability, wild contains ↑', wild((w) => w.contains.portability)],
    ]),
    ['Locality ↑', (s) => cell(s.locality)],
    ...wildRows([['Locality, wild ↑', wild((w) => w.locality)]]),
    ['Fluency ↑', (s) => cell(s.fluency, 3)],
    ['Fluency (unedited)', (s) => cell(s.baseFluency, 3)],
    ['Milliseconds per edit', (s) => (1000 * s.secondsPerEdit).toFixed(3)],
    ['Routing', (s) => (s.commit ? 'committed' : s.routing)],
    ['Records (n)', (s) => String(s.n)],
  ];
  for (const dataset of datasets) {
    lines.push(`| ${dataset} | ${methods.join(' | ')} |`, `|---|${methods.map(() => '---:').join('|')}|`);
    const convsent = summaries.some((s) => s.dataset === dataset && s.convsent);
    for (const [label, value] of convsent ? [...CONVSENT_ROWS, ...rows] : rows) {
      lines.push(`| ${label} | ${methods.map((m) => summaries.find((s) => s.dataset === dataset && s.method === m)).map((s) => (s ? value(s) : '—')).join(' | ')} |`);
    }
    const n = summaries.find((s) => s.dataset === dataset)?.n;
    lines.push('', `${n} records.`, '');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The survey's Table 5: general ability before and after editing. Here: token accuracy on world
 * facts no edit touches, and perplexity of held-out sentences about untouched subjects, before
 * and after each method's sequential run.
 */
export function table5Markdown(summaries: readonly EvalSummary[], header: { model: string; dataset?: string; edits: number }): string {
  const lines = ['# General ability before and after editing (survey Table 5 layout)', ''];
  const measured = summaries.filter((s) => s.generalAbility);
  if (!measured.length) return `${[...lines, 'Not measured: no dataset for the sequential run, or no general-ability probes (`--world`).'].join('\n')}\n`;
  const first = measured[0].generalAbility!.before;
  lines.push(
    `Model \`${header.model}\`; each method makes ${header.edits} sequential edits of \`${header.dataset}\`, committed where the method can commit (the others routed: the probes name no edited subject, so they see no edit), then ${first.facts} unrelated world facts and ${first.sentences} held-out sentences about untouched subjects are scored.`,
    '',
    '| method | unrelated facts, before | after | held-out perplexity, before | after | edits (n) | edits |',
    '|---|---:|---:|---:|---:|---:|---|',
  );
  for (const s of measured) {
    const { before, after } = s.generalAbility!;
    lines.push(`| ${s.method} | ${before.unrelatedFactAcc.toFixed(2)} | ${after.unrelatedFactAcc.toFixed(2)} | ${before.heldOutPerplexity.toFixed(3)} | ${after.heldOutPerplexity.toFixed(3)} | ${s.n} | ${s.commit ? 'committed' : s.routing} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Survey Figure 4: the metrics against the number of sequential edits, and fluency against the unedited model's. */
export function curveCharts(summaries: readonly EvalSummary[], title: string): LineChart[] {
  const sorted = [...summaries].sort((a, b) => a.n - b.n);
  const xLabels = sorted.map((s) => String(s.n));
  return [
    {
      title,
      xLabel: 'number of sequential edits',
      yLabel: 'percent',
      xLabels,
      yRange: [0, 100],
      series: [
        { name: 'Edit Succ.', values: sorted.map((s) => s.editSucc) },
        { name: 'Portability', values: sorted.map((s) => s.portability) },
        { name: 'Locality', values: sorted.map((s) => s.locality) },
        // The wild protocol's answers beside the teacher-forced scores, when the runs measured them.
        ...(sorted.some((s) => s.wild)
          ? [
              { name: 'Edit Succ. (wild, exact)', values: sorted.map((s) => s.wild?.exactMatch.editSucc ?? null) },
              { name: 'Portability (wild, exact)', values: sorted.map((s) => s.wild?.exactMatch.portability ?? null) },
              { name: 'Locality (wild)', values: sorted.map((s) => s.wild?.locality ?? null) },
            ]
          : []),
      ],
    },
    {
      title: `${title}: fluency`,
      xLabel: 'number of sequential edits',
      yLabel: 'n-gram entropy (bits)',
      xLabels,
      series: [
        { name: 'Fluency', values: sorted.map((s) => s.fluency) },
        { name: 'Unedited', values: sorted.map((s) => s.baseFluency) },
      ],
    },
  ];
}
