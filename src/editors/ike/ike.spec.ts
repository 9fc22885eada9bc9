import { join } from 'node:path';
import { loadDataset } from '../../eval/dataset/load-dataset';
import { demonstrationsFrom } from '../../eval/demonstrations';
import { SessionManager } from '../../runtime/session/session-manager';
import { loadHparams } from '../registry';
import { counterfactRequests, fixtureContext, REPO_ROOT } from '../../../test/support/fixture-context';
import { jaccard, wordSet } from '../demonstration';
import { ikeMethod } from './ike';

describe('IKE', () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());
  const demonstrations = demonstrationsFrom(loadDataset(join(REPO_ROOT, 'data', 'world', 'world-counterfact.train.json')));

  it('builds copy, update and retain demonstrations from the train split', () => {
    expect(demonstrations.length).toBe(150 * 3);
    const first = demonstrations.slice(0, 3);
    expect(first.map((d) => d.kind)).toEqual(['copy', 'update', 'retain']);
    expect(first[0].query).toBe(first[0].factPrompt);
    expect(first[1].answer).toBe(first[0].factTarget);
    expect(first[2].answer).not.toBe(first[0].factTarget);
  });

  it('states the new fact last, after one demonstration of each kind, within the context budget', async () => {
    const context = { ...(await fixtureContext(sessions)), demonstrations };
    const [request] = counterfactRequests(1);
    const [op] = await ikeMethod.compute(context, [request], ikeMethod.hparams.parse(loadHparams(ikeMethod)));
    if (op.kind !== 'context') throw new Error('expected a context operation');
    expect(op.text.endsWith(`New fact: ${request.prompt} ${request.target_new}.`)).toBe(true);
    expect(op.text.match(/New fact:/g)).toHaveLength(4);
    expect(context.tokenizer.encode(op.text).length).toBeLessThanOrEqual(context.model.config.maxPositions - 48);
    // A tight budget drops demonstrations, never the fact.
    const [tight] = await ikeMethod.compute(context, [request], { k: 3, factTemplate: 'New fact: {prompt} {target}.', reserveTokens: context.model.config.maxPositions - 30 });
    expect(tight.kind === 'context' && tight.text).toBe(`New fact: ${request.prompt} ${request.target_new}.`);
  });

  it('fails clearly without demonstrations', async () => {
    const context = await fixtureContext(sessions);
    await expect(ikeMethod.compute(context, counterfactRequests(1), { k: 3, factTemplate: 'New fact: {prompt} {target}.', reserveTokens: 48 })).rejects.toThrow('ike: no demonstrations');
  });

  it('measures similarity on word sets', () => {
    expect(jaccard(wordSet('Ada works for Acme'), wordSet('acme WORKS for ada'))).toBe(1);
    expect(jaccard(wordSet('a b'), wordSet('c d'))).toBe(0);
    expect(jaccard(wordSet('a b c'), wordSet('a b d'))).toBeCloseTo(0.5);
  });
});
