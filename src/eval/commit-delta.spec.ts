import { SessionManager } from '../runtime/session/session-manager';
import { combineDeltas } from '../memory/edit-effects';
import { commitDelta, mlpOutProjection, rollbackDelta, snapshotFor } from '../editors/commit-delta';
import { randomDelta, tinyModel } from './tiny-model';

const sessions = new SessionManager({ threads: 1 });
afterAll(() => sessions.close());

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('committing a delta into the weights', () => {
  it('matches the routed hook, and rollback or a snapshot restores the weights', async () => {
    const { model } = await tinyModel(sessions);
    const sequence = [[40, 71, 12, 99, 5]];
    const plain = (await model.logits(sequence)).data as Float32Array;
    const ops = [randomDelta(16, 64, 1, 1, 2), randomDelta(16, 64, 1, 2), randomDelta(16, 64, 0, 3)];
    const routed = (await model.logits(sequence, [combineDeltas(ops)])).data as Float32Array;
    expect(maxAbsDiff(routed, plain)).toBeGreaterThan(1e-3);

    const name = mlpOutProjection(model.config, 1).name;
    const original = (model.weights.get(name)!.data as Float32Array).slice();
    const restore = snapshotFor(model.config, model.weights, ops);
    for (const op of ops) commitDelta(model.config, model.weights, op);
    const committed = (await model.logits(sequence)).data as Float32Array; // same sessions, buffers changed in place
    expect(maxAbsDiff(committed, routed)).toBeLessThanOrEqual(1e-4);

    for (const op of ops) rollbackDelta(model.config, model.weights, op);
    expect(maxAbsDiff(model.weights.get(name)!.data as Float32Array, original)).toBeLessThanOrEqual(1e-6);
    for (const op of ops) commitDelta(model.config, model.weights, op);
    restore();
    expect(model.weights.get(name)!.data).toEqual(original);
    expect(maxAbsDiff((await model.logits(sequence)).data as Float32Array, plain)).toBe(0);
  });

  it('uses the Linear layout [d_model, d_ff] for Llama-family down_proj', () => {
    expect(mlpOutProjection({ family: 'llama' } as never, 3)).toEqual({ name: 'model.layers.3.mlp.down_proj.weight', layout: 'linear' });
  });
});
