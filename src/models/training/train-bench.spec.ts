import { SessionManager } from '../../runtime/session/session-manager';
import { benchTraining } from './train-bench';

describe('benchTraining', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());

  it("times the trainer's step on a GPT-2 of the asked shape", async () => {
    const shape = { batch: 2, seq: 8, dModel: 16, layers: 2, heads: 2, vocab: 50 };
    const result = await benchTraining(sessions, { ...shape, steps: 3 });
    const d = shape.dModel;
    // Tied embeddings, positions, per block 12d² + 13d (attention, MLP, two LayerNorms), final LayerNorm.
    expect(result.params).toBe(shape.vocab * d + shape.seq * d + shape.layers * (12 * d * d + 13 * d) + 2 * d);
    expect(result.shape).toEqual(shape);
    expect(result.graphMs).toBeGreaterThan(0);
    expect(result.optimizerMs).toBeGreaterThan(0);
    expect(result.tokensPerSec / ((shape.batch * shape.seq * 1000) / result.msPerStep)).toBeCloseTo(1, 1);
  }, 60_000);
});
