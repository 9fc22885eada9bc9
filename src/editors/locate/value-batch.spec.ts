import { SessionManager } from '../../runtime/session/session-manager';
import { counterfactRequests, fixtureContext } from '../../../test/support/fixture-context';
import { maxRelative } from '../../../test/support/max-relative';
import type { EditContext } from '../edit-method';
import { contextTemplates } from './context-templates';
import { contextTemplatesSchema, valueOptimizationSchema } from './hparams';
import { optimizeValue, optimizeValues } from './value-batch';

jest.setTimeout(300_000);

const sessions = new SessionManager({});
let context: EditContext;
beforeAll(async () => (context = await fixtureContext(sessions)));
afterAll(() => sessions.close());


describe('optimizeValues', () => {
  it('gives each request the δ, losses and target probability it gets optimised alone', async () => {
    const templates = await contextTemplates(context.model, context.tokenizer, contextTemplatesSchema.parse({ count: 2 }));
    // A loose threshold, so that requests stop at different steps while the others go on.
    const hp = valueOptimizationSchema.parse({ steps: 12, lr: 0.5, lossThreshold: 1.05 });
    const requests = counterfactRequests(3).map((r) => ({ prompt: r.prompt, subject: r.subject!, target: r.target_new }));
    // Together with the KL rows in a run of their own; alone (below) in one run with the rewriting rows.
    const together = await optimizeValues(context.model, context.tokenizer, requests, templates, 1, 'resid', hp, 0);
    expect(together).toHaveLength(3);
    expect(together.map((t) => t.losses.length)).toEqual([12, 10, 11]); // they stop apart, the first runs out of steps
    for (const [i, request] of requests.entries()) {
      const alone = await optimizeValue(context.model, context.tokenizer, request, templates, 1, 'resid', hp);
      expect(together[i].losses).toHaveLength(alone.losses.length);
      together[i].losses.forEach((l, s) => expect(l).toBeCloseTo(alone.losses[s], 4));
      expect(maxRelative(together[i].initial, alone.initial)).toBeLessThan(1e-5);
      expect(maxRelative(together[i].delta, alone.delta)).toBeLessThan(1e-3);
      expect(together[i].targetProbability).toBeCloseTo(alone.targetProbability, 4);
    }
  });

  it('gives the same δ with the frozen prefix run a row at a time as over the whole group at once', async () => {
    // Guards the prefix slices (PREFIX_POSITIONS_PER_RUN): each row's cache, window and v₀ must
    // come out as one run over every row gives them, so the optimisation takes the same steps.
    const templates = await contextTemplates(context.model, context.tokenizer, contextTemplatesSchema.parse({ count: 2 }));
    const hp = valueOptimizationSchema.parse({ steps: 8, lr: 0.5, lossThreshold: 0 });
    const requests = counterfactRequests(3).map((r) => ({ prompt: r.prompt, subject: r.subject!, target: r.target_new }));
    const whole = await optimizeValues(context.model, context.tokenizer, requests, templates, 1, 'resid', hp, 0, 1e9);
    const sliced = await optimizeValues(context.model, context.tokenizer, requests, templates, 1, 'resid', hp, 0, 1);
    for (const [i, w] of whole.entries()) {
      expect(maxRelative(sliced[i].initial, w.initial)).toBeLessThan(1e-6);
      expect(maxRelative(sliced[i].delta, w.delta)).toBeLessThan(1e-5);
      sliced[i].losses.forEach((l, s) => expect(Math.abs(l - w.losses[s])).toBeLessThan(1e-5 * Math.max(1, Math.abs(w.losses[s]))));
    }
  });
});
