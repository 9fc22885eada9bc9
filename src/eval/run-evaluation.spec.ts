import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { SessionManager } from '../runtime/session/session-manager';
import type { World } from '../world/types';
import { loadDataset } from './dataset/load-dataset';
import type { EditMethod } from '../editors/edit-method';
import { getMethod } from '../editors/builtin-methods';
import { loadHparams } from '../editors/registry';
import { runEvaluation, type EvalRunOptions } from './run-evaluation';
import { randomDelta, tinyModel } from './tiny-model';

const WORLD = join(__dirname, '..', '..', 'data', 'world');
const sessions = new SessionManager({ threads: 1 });
const counterfact = loadDataset(join(WORLD, 'world-counterfact.test.json'));
const world = JSON.parse(readFileSync(join(WORLD, 'world.json'), 'utf8')) as World;
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ked-eval-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => sessions.close());

async function run(method: EditMethod, overrides: Partial<EvalRunOptions> = {}) {
  const { model, tokenizer } = await tinyModel(sessions);
  const options: EvalRunOptions = { model, tokenizer, dataset: counterfact, method, hparams: loadHparams(method), mode: 'single', n: 4, runDir: join(dir, 'run'), fluencyTokens: 24, ...overrides };
  return { summary: await runEvaluation(options), model };
}

/** A stand-in locate-and-edit method: a seeded random rank-1 delta per request on layer 1. */
const randomDeltaMethod: EditMethod = {
  name: 'random-delta',
  capabilities: { batchable: false, routable: true, committable: true, needsTrainSplit: false },
  hparams: z.object({}),
  compute: async ({ model }, requests) => requests.map((r) => ({ ...randomDelta(model.config.dModel, model.config.dFF, 1, r.prompt.length, 1, 2), method: 'random-delta' })),
};

describe('runEvaluation', () => {
  it('none: locality exactly 100 and unchanged fluency, in single and sequential mode', async () => {
    const { summary } = await run(getMethod('none'));
    expect(summary).toMatchObject({ method: 'none', dataset: 'world-counterfact.test.json', mode: 'single', n: 4, locality: 100 });
    expect(summary.fluency).toBe(summary.baseFluency);
    expect(summary.editSucc).not.toBeNull();
    expect(summary.routing).toBe('detector'); // what users get, unless asked otherwise
    const sequential = await run(getMethod('none'), { mode: 'sequential', runDir: join(dir, 'seq'), world, generalProbes: 6 });
    expect(sequential.summary).toMatchObject({ locality: 100, editSucc: summary.editSucc, portability: summary.portability });
    expect(sequential.summary.generalAbility!.after).toEqual(sequential.summary.generalAbility!.before);
  });

  it('ICE reports all four metrics; oracle-routed, its locality probes never see the context', async () => {
    const { summary } = await run(getMethod('ice'), { routing: 'global' });
    expect(summary.routing).toBe('global');
    for (const metric of ['editSucc', 'portability', 'locality', 'fluency', 'baseFluency'] as const) expect(typeof summary[metric]).toBe('number');
    const routed = await run(getMethod('ice'), { routing: 'oracle', runDir: join(dir, 'oracle'), skipFluency: true });
    expect(routed.summary.locality).toBe(100);
    expect(routed.summary.editSucc).toBe(summary.editSucc); // the edit's own probes see the context either way
  });

  it('batch editing with ICE gives what sequential editing gives (contexts do not interact with the weights)', async () => {
    const batch = await run(getMethod('ice'), { mode: 'batch', skipFluency: true });
    const sequential = await run(getMethod('ice'), { mode: 'sequential', runDir: join(dir, 'seq'), skipFluency: true });
    expect({ ...batch.summary, mode: 'x', secondsPerEdit: 0 }).toEqual({ ...sequential.summary, mode: 'x', secondsPerEdit: 0 });
    expect(readFileSync(join(dir, 'run', 'edits.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1); // one compute call
  });

  it('committed deltas equal globally routed ones, and the weights are restored after the run', async () => {
    const routed = await run(randomDeltaMethod, { routing: 'global', skipFluency: true });
    const committed = await run(randomDeltaMethod, { commit: true, runDir: join(dir, 'commit'), skipFluency: true });
    expect(committed.summary).toMatchObject({ commit: true, routing: 'global' });
    for (const metric of ['editSucc', 'portability', 'locality'] as const) expect(committed.summary[metric]).toBeCloseTo(routed.summary[metric]!, 1);
    const sequential = await run(randomDeltaMethod, { commit: true, mode: 'sequential', runDir: join(dir, 'seq'), skipFluency: true });
    const { model: fresh } = await tinyModel(sessions);
    for (const [name, tensor] of fresh.weights) expect(sequential.model.weights.get(name)!.data).toEqual(tensor.data);
    expect(sequential.summary.locality).toBeLessThan(100);
  });

  it('resumes: finished records are skipped and computed edits re-applied', async () => {
    let calls = 0;
    const ice = getMethod('ice');
    const counted: EditMethod = { ...ice, compute: (...args) => (calls++, ice.compute(...args)) };
    const options = { mode: 'sequential' as const, skipFluency: true };
    const first = await run(counted, options);
    expect(calls).toBe(4);
    const results = join(dir, 'run', 'results.jsonl');
    const edits = join(dir, 'run', 'edits.jsonl');
    writeFileSync(results, readFileSync(results, 'utf8').split('\n').slice(0, 2).join('\n')); // killed mid-run
    expect((await run(counted, options)).summary).toEqual(first.summary);
    expect(calls).toBe(4);
    expect(readFileSync(results, 'utf8').trim().split('\n')).toHaveLength(4);
    writeFileSync(edits, readFileSync(edits, 'utf8').split('\n').slice(0, 3).join('\n') + '\n{"owners": [3], "seco'); // torn line
    writeFileSync(results, '');
    const again = (await run(counted, options)).summary;
    expect({ ...again, secondsPerEdit: 0 }).toEqual({ ...first.summary, secondsPerEdit: 0 }); // record 3 was timed again
    expect(calls).toBe(5);
    await expect(run(counted, { ...options, n: 3 })).rejects.toThrow(/holds a different run/);
  });

  it('wild protocol: generated-answer scores beside the teacher-forced ones; none keeps wild locality at 100', async () => {
    const teacherForced = await run(getMethod('none'), { skipFluency: true, runDir: join(dir, 'tf') });
    expect(teacherForced.summary.wild).toBeNull();
    const { summary } = await run(getMethod('none'), { skipFluency: true, wildAnswerTokens: 6 });
    expect({ ...summary, wild: null, secondsPerEdit: 0 }).toEqual({ ...teacherForced.summary, secondsPerEdit: 0 }); // the teacher-forced side is unchanged
    expect(summary.wild).toMatchObject({ answerTokens: 6, locality: 100 });
    for (const scores of [summary.wild!.exactMatch, summary.wild!.contains]) for (const metric of ['editSucc', 'reliability', 'generalization', 'portability'] as const) expect(typeof scores[metric]).toBe('number');
    expect(summary.wild!.exactMatch.editSucc!).toBeLessThanOrEqual(summary.wild!.contains.editSucc!);
    const stored = readFileSync(join(dir, 'run', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { wild: { answers: Record<string, string[]> } });
    expect(stored).toHaveLength(4);
    expect(Object.keys(stored[0].wild.answers)).toEqual(expect.arrayContaining(['reliability', 'generalization', 'locality/Forgetfulness']));
    // Sequential with ICE, oracle-routed: locality probes never see a context, so wild locality stays 100 too.
    const ice = await run(getMethod('ice'), { mode: 'sequential', routing: 'oracle', skipFluency: true, wildAnswerTokens: 6, runDir: join(dir, 'ice') });
    expect(ice.summary.wild!.locality).toBe(100);
    // A wild run is another run: its directory does not resume a teacher-forced one.
    await expect(run(getMethod('none'), { skipFluency: true, wildAnswerTokens: 6, runDir: join(dir, 'tf') })).rejects.toThrow(/holds a different run/);
  }, 60_000); // four runs; about a second on an idle machine

  it('refuses what a method cannot do', async () => {
    await expect(run(getMethod('ice'), { commit: true })).rejects.toThrow('method "ice" cannot commit its edits into the weights (not committable)');
    await expect(run(randomDeltaMethod, { mode: 'batch' })).rejects.toThrow('method "random-delta" cannot edit in batches (not batchable); use --mode sequential');
  });
});
