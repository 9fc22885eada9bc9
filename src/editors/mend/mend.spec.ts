import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenizeProbe } from '../../models/tokenizer/tokenize-probe';
import type { EditDeltas } from '../../models/language-model';
import { mulberry32 } from '../../runtime/random';
import { SessionManager } from '../../runtime/session/session-manager';
import { counterfactRequests, fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import { commitDelta, snapshotFor } from '../commit-delta';
import type { EditContext } from '../edit-method';
import type { DeltaOperation } from '../edit-operation';
import type { FactEditRecord } from '../fact-record';
import { loadHparams } from '../registry';
import { editorBackward, editorForward, initEditor, trainableNames, type EditorShape } from './editor-network';
import { baseModelHash, readMendEditor, writeMendEditor, type MendEditor } from './mend-artifact';
import { MetaObjective, trainingExamples } from './mend-training';
import { mendHparams, mendMethod, type MendHparams } from './mend';

const deltasOf = (op: DeltaOperation): EditDeltas => new Map(op.factors.map((f) => [f.layer, { u: f.u, v: f.v }]));

describe("MEND's editor network", () => {
  it('starts as the identity, and its backward pass matches finite differences', () => {
    const shape: EditorShape = { dIn: 5, dOut: 3, hidden: 4, blocks: 2 };
    const random = mulberry32(3);
    const params = initEditor(shape, 1, 0);
    const n = 3;
    const x = Float32Array.from({ length: n * shape.dIn }, () => random() - 0.5);
    const delta = Float32Array.from({ length: n * shape.dOut }, () => random() - 0.5);
    const identity = editorForward(shape, params, x, delta, n);
    expect(Array.from(identity.xt)).toEqual(Array.from(x));
    expect(Array.from(identity.dt)).toEqual(Array.from(delta));
    // Away from the identity (U ≠ 0, biases that switch some units off), so every path counts.
    for (const name of trainableNames(shape)) {
      if (name === 'logLr') continue;
      const p = params.get(name)!;
      for (let i = 0; i < p.length; i++) p[i] = random() - 0.5;
    }
    const mean = params.get('mean')!;
    const std = params.get('std')!;
    for (let i = 0; i < mean.length; i++) (mean[i] = 0.1 * (random() - 0.5)), (std[i] = 0.5 + random());
    // L = Σ a·x̃ + Σ c·δ̃ with fixed random a, c.
    const a = Float32Array.from({ length: n * shape.dIn }, () => random() - 0.5);
    const c = Float32Array.from({ length: n * shape.dOut }, () => random() - 0.5);
    const loss = () => {
      const { xt, dt } = editorForward(shape, params, x, delta, n);
      let s = 0;
      xt.forEach((v, i) => (s += v * a[i]));
      dt.forEach((v, i) => (s += v * c[i]));
      return s;
    };
    const { cache } = editorForward(shape, params, x, delta, n);
    const grads = new Map<string, Float32Array>();
    editorBackward(shape, params, cache, a, c, grads);
    const eps = 1e-3;
    let checked = 0;
    for (const name of trainableNames(shape)) {
      if (name === 'logLr') continue;
      const p = params.get(name)!;
      const g = grads.get(name)!;
      for (let i = 0; i < p.length; i++) {
        const saved = p[i];
        p[i] = saved + eps;
        const up = loss();
        p[i] = saved - eps;
        const down = loss();
        p[i] = saved;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - g[i])).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
        checked++;
      }
    }
    expect(checked).toBe(2 * (4 * 8 + 4 + 8 * 4));
  });
});

describe('MEND on the fixture', () => {
  const sessions = new SessionManager({ threads: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'ked-mend-'));
  afterAll(async () => {
    await sessions.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let context: EditContext;
  const hp = loadHparams(mendMethod) as MendHparams;
  beforeAll(async () => {
    context = await fixtureContext(sessions);
  });

  it.each([0, 10])("the meta-gradient (through ΔW, the networks and η) matches finite differences of the post-edit loss (c_norm %d)", async (cNorm) => {
    const records = (JSON.parse(readFileSync(join(REPO_ROOT, 'data', 'world', 'world-counterfact.train.json'), 'utf8')) as FactEditRecord[]).slice(0, 2);
    const shape: EditorShape = { dIn: context.model.config.dFF, dOut: context.model.config.dModel, hidden: 4, blocks: 1 };
    const random = mulberry32(5);
    const layers = [2, 3];
    const editor: MendEditor = { modelHash: baseModelHash(context.model), layers, shape, params: new Map(layers.map((l) => [l, initEditor(shape, l, Math.log(3e-2))])), manifest: {} };
    for (const p of editor.params.values()) {
      const u = p.get('block0.U')!;
      for (let i = 0; i < u.length; i++) u[i] = 0.05 * (random() - 0.5);
      p.get('std')!.fill(0.5);
    }
    // With c_norm 10 the edit-size penalty's gradient is checked too.
    const objective = await MetaObjective.create(context.model, trainingExamples(context.tokenizer, records, 'both'), editor, 1, cNorm);
    const batch = [0, 1];
    const at = async () => (await objective.loss(batch, await objective.edits(batch))).total;
    const edits = await objective.edits(batch);
    const grads = objective.gradients(await objective.loss(batch, edits), edits);
    // A directional derivative along a random direction over every trained parameter, and ∂/∂log η alone.
    const direction = new Map([...grads.keys()].map((name) => [name, Float32Array.from(grads.get(name)!, () => random() - 0.5)]));
    const param = (name: string) => editor.params.get(Number(name.split('/')[0]))!.get(name.split('/')[1])!;
    const move = (eps: number, only?: string) => {
      for (const [name, d] of direction) {
        if (only && name !== only) continue;
        const p = param(name);
        for (let i = 0; i < p.length; i++) p[i] += eps * (only ? 1 : d[i]);
      }
    };
    for (const only of [undefined, '3/logLr', '2/logLr']) {
      let analytic = 0;
      for (const [name, d] of direction) {
        if (only && name !== only) continue;
        grads.get(name)!.forEach((g, i) => (analytic += g * (only ? 1 : d[i])));
      }
      // The random direction moves every weight of the networks at once: a small step keeps the
      // difference in the linear regime (it converges to the analytic value as ε shrinks to 1e-3).
      const eps = only ? 1e-2 : 1e-3;
      move(eps, only);
      const up = await at();
      move(-2 * eps, only);
      const down = await at();
      move(eps, only);
      const numeric = (up - down) / (2 * eps);
      expect(Math.abs(numeric - analytic)).toBeLessThan(0.01 * Math.abs(analytic) + 1e-3);
    }
  }, 60_000);

  it('an edit raises the target on its prompt by a clear margin, is rank ≤ tokens, and routed equals committed', async () => {
    const requests = counterfactRequests(4);
    let gain = 0;
    const ranks: number[] = [];
    for (const request of requests) {
      const [op] = await mendMethod.compute(context, [request], hp);
      if (op.kind !== 'delta') throw new Error('expected a delta');
      const probe = tokenizeProbe(context.tokenizer, { prompt: request.prompt, target: request.target_new });
      const tokens = probe.prompt.length + probe.target.length;
      ranks.push(op.factors[0].u.shape[1]);
      for (const f of op.factors) {
        expect(f.u.shape[1]).toBeLessThanOrEqual(tokens);
        expect(f.v.shape).toEqual([context.model.config.dFF, f.u.shape[1]]);
      }
      const [edited, unedited] = await context.model.scoreTargets([probe, probe], [deltasOf(op), new Map()]);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      gain += mean(edited.logprobs) - mean(unedited.logprobs);
      // Committed into the weights, the same edit scores the same.
      const restore = snapshotFor(context.model.config, context.model.weights, [op]);
      commitDelta(context.model.config, context.model.weights, op);
      const [committed] = await context.model.scoreTargets([probe]);
      restore();
      expect(mean(committed.logprobs)).toBeCloseTo(mean(edited.logprobs), 2);
    }
    // Mean log-probability of the target tokens: up by more than 1 nat per token on average.
    expect(gain / requests.length).toBeGreaterThan(1);
    // A batch of two edits is one delta whose rank is the sum of both.
    const [batch] = await mendMethod.compute(context, requests.slice(0, 2), hp);
    expect(batch.requests).toEqual([0, 1]);
    expect(batch.kind === 'delta' && batch.factors[0].u.shape[1]).toBe(ranks[0] + ranks[1]);
  }, 60_000);

  it('refuses an editor trained for another model, and a missing one, saying so', async () => {
    const editor = readMendEditor(join(REPO_ROOT, hp.editor));
    expect(editor.modelHash).toBe(baseModelHash(context.model));
    writeMendEditor(dir, { ...editor, modelHash: '0123456789abcdef' });
    const [request] = counterfactRequests(1);
    await expect(mendMethod.compute(context, [request], mendHparams.parse({ editor: dir }))).rejects.toThrow(
      /mend: the editor in .* was trained for another model \(model hash 0123456789abcdef, this model's is [0-9a-f]{16}\)/,
    );
    await expect(mendMethod.compute(context, [request], mendHparams.parse({ editor: join(dir, 'none') }))).rejects.toThrow(/mend: no trained editor in .*none \(mend\.json is missing\)/);
    // Read back, the editor is the one written.
    const again = readMendEditor(dir);
    expect(again.layers).toEqual(editor.layers);
    expect(again.params.get(editor.layers[0])!.get('block0.V')).toEqual(editor.params.get(editor.layers[0])!.get('block0.V'));
  });
});
