import type { LanguageModel, TargetScore } from '../models/language-model';
import { loadTokenizer, type KedTokenizer } from '../models/tokenizer';
import { AppliedEdits, PerRecordEdits } from './applied-edits';
import type { EvalCase } from './dataset/eval-case';
import { measureCases, measurePreEdit } from './measure-cases';
import { tokenizeProbe } from './teacher-forcing';
import { FIXTURE_TOKENIZER } from './tiny-model';

/**
 * A hand-made model: it continues a prompt with what it believes (`beliefs`), and an ICE context
 * "Imagine that <p> <t>." makes it answer <t> to exactly <p> ("reader"), or derails every answer
 * to token 0 ("confused"). It generates its answer (if any) as a sentence, then a fixed text.
 */
function fakeModel(tokenizer: KedTokenizer, beliefs: Record<string, string>, kind: 'reader' | 'confused'): LanguageModel {
  const contexts = /^Imagine that (.*) (\S+)\. (.*)$/;
  const answerTo = (prompt: number[]): { question: string; belief?: string } => {
    const text = tokenizer.decode(prompt);
    const match = contexts.exec(text);
    const question = match ? match[3] : text;
    const belief = match && match[1] === question ? match[2] : beliefs[question];
    return { question, belief: match && kind === 'confused' ? undefined : belief };
  };
  const scoreTargets = async (pairs: Array<{ prompt: number[]; target: number[] }>): Promise<TargetScore[]> =>
    pairs.map(({ prompt, target }) => {
      const { question, belief } = answerTo(prompt);
      const predicted = belief ? tokenizeProbe(tokenizer, { prompt: question, target: belief }).target : [];
      const argmax = target.map((_, i) => predicted[i] ?? 0);
      return { argmax, logprobs: target.map(() => -1), accuracy: argmax.filter((t, i) => t === target[i]).length / target.length };
    });
  const generate = async (prompts: number[][]) =>
    prompts.map((prompt) => {
      const { belief } = answerTo(prompt);
      return tokenizer.encode(`${belief ? ` ${belief}.` : ''} And so on and so on`);
    });
  return { config: { maxPositions: 512 }, scoreTargets, generate } as unknown as LanguageModel;
}

const iceOp = (prompt: string, target: string) => ({ kind: 'context' as const, method: 'ice', requests: [0], text: `Imagine that ${prompt} ${target}.` });

function record(index: number, overrides: Partial<EvalCase> = {}): EvalCase {
  return {
    index,
    requests: [{ prompt: 'Ann lives in', target_new: 'Vabaport' }],
    reliability: [{ prompt: 'Ann lives in', answers: ['Vabaport'] }],
    generalization: [{ prompt: 'The home of Ann is', answers: ['Vabaport'] }],
    portability: {},
    locality: { Forgetfulness: [{ prompt: 'Bo speaks', answers: ['Botese'] }] },
    fluencyPrompts: ['Ann lives in'],
    ...overrides,
  };
}

let tokenizer: KedTokenizer;
beforeAll(async () => (tokenizer = await loadTokenizer(FIXTURE_TOKENIZER)));

describe('measureCases on a hand-made model', () => {
  it('gives multi-token targets partial credit and takes the best alias', async () => {
    const model = fakeModel(tokenizer, { 'Ann lives in': 'Stabeport', 'Ann works in': 'the city of Graburg' }, 'reader');
    const c = record(0, { portability: { Reasoning: [{ prompt: 'Ann works in', answers: ['Graburg', 'the city of Graburg'] }] } });
    const options = { model, tokenizer, skipFluency: true };
    const reference = await measurePreEdit(options, [c]);
    const [unedited] = await measureCases(options, [c], new PerRecordEdits(new Map()), reference);
    // "Vabaport" vs the believed "Stabeport": the shared suffix tokens count, the first ones do not.
    const wanted = tokenizeProbe(tokenizer, { prompt: 'Ann lives in', target: 'Vabaport' }).target;
    const believed = tokenizeProbe(tokenizer, { prompt: 'Ann lives in', target: 'Stabeport' }).target;
    expect(wanted.length).toBeGreaterThan(1);
    const expected = wanted.filter((t, i) => believed[i] === t).length / wanted.length;
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
    expect(unedited.reliability).toBeCloseTo(expected, 12);
    expect(unedited.portabilityByGroup).toEqual({ Reasoning: 1 }); // the second alias is the belief
    expect(unedited.portability).toBe(1);
  });

  it('scores Edit Succ. as the mean of reliability and generalization under an ICE context', async () => {
    const model = fakeModel(tokenizer, {}, 'reader');
    const c = record(0);
    const options = { model, tokenizer, skipFluency: true };
    const reference = await measurePreEdit(options, [c]);
    const edits = new AppliedEdits(model, 'global', false);
    edits.add(iceOp('Ann lives in', 'Vabaport'), [0]);
    const [result] = await measureCases(options, [c], edits, reference);
    expect(result.reliability).toBe(1); // the context states exactly this prompt
    expect(result.generalization).toBe(0); // the reader does not generalise to the rephrase
    expect(result.editSucc).toBe(0.5);
  });

  it('measures locality against the pre-edit argmax, not the label', async () => {
    // The model believes Bo speaks Mepevish; the dataset's label says Botese (accuracy 0).
    const beliefs = { 'Bo speaks': 'Mepevish' };
    const c = record(0);
    for (const [kind, routing, locality] of [
      ['reader', 'global', 1], // a context the reader ignores leaves the answer as it was
      ['confused', 'global', 0], // a context that derails every answer destroys locality
      ['confused', 'oracle', 1], // oracle-routed, the locality probe never sees the context
    ] as const) {
      const model = fakeModel(tokenizer, beliefs, kind);
      const options = { model, tokenizer, skipFluency: true };
      const reference = await measurePreEdit(options, [c]);
      const edits = new AppliedEdits(model, routing, false);
      edits.add(iceOp('Ann lives in', 'Vabaport'), [0]);
      const [result] = await measureCases(options, [c], edits, reference);
      expect([kind, routing, result.locality]).toEqual([kind, routing, locality]);
      expect(result.localityByGroup).toEqual({ Forgetfulness: locality });
    }
  });

  it('reports missing metrics as null, and fluency next to the unedited fluency', async () => {
    const model = fakeModel(tokenizer, {}, 'reader');
    const c = record(0, { generalization: [], locality: { Relation_Specificity: [] } });
    const options = { model, tokenizer };
    const reference = await measurePreEdit(options, [c]);
    const [result] = await measureCases(options, [c], new PerRecordEdits(new Map()), reference);
    expect(result).toMatchObject({ generalization: null, portability: null, locality: null, localityByGroup: {} });
    expect(result.fluency).toBeGreaterThan(0);
    expect(result.fluency).toBe(result.baseFluency);
  });

  it('wild: scores generated answers by exact match and containment, locality against the unedited answer', async () => {
    const beliefs = { 'Ann works in': 'the city of Graburg', 'Bo speaks': 'Mepevish' };
    const c = record(0, { portability: { Reasoning: [{ prompt: 'Ann works in', answers: ['Graburg'] }] } });
    for (const [kind, locality] of [['reader', 1], ['confused', 0]] as const) {
      const model = fakeModel(tokenizer, beliefs, kind);
      const options = { model, tokenizer, skipFluency: true, wildAnswerTokens: 24 };
      const reference = await measurePreEdit(options, [c]);
      expect(reference.localityAnswers).toEqual(new Map([['0/Forgetfulness/0', 'Mepevish']]));
      const edits = new AppliedEdits(model, 'global', false);
      edits.add(iceOp('Ann lives in', 'Vabaport'), [0]);
      const [result] = await measureCases(options, [c], edits, reference);
      expect([kind, result.wild?.locality]).toEqual([kind, locality]);
      if (kind === 'confused') continue;
      expect(result.wild).toEqual({
        // "the city of Graburg" is not exactly "Graburg", but contains it.
        exactMatch: { reliability: 1, generalization: 0, editSucc: 0.5, portability: 0, portabilityByGroup: { Reasoning: 0 } },
        contains: { reliability: 1, generalization: 0, editSucc: 0.5, portability: 1, portabilityByGroup: { Reasoning: 1 } },
        locality: 1,
        localityByGroup: { Forgetfulness: 1 },
        answers: { reliability: ['Vabaport'], generalization: ['And so on and so on'], 'portability/Reasoning': ['the city of Graburg'], 'locality/Forgetfulness': ['Mepevish'] },
      });
    }
  });

  it('leaves wild scores out unless asked for', async () => {
    const model = fakeModel(tokenizer, {}, 'reader');
    const options = { model, tokenizer, skipFluency: true };
    const reference = await measurePreEdit(options, [record(0)]);
    const [result] = await measureCases(options, [record(0)], new PerRecordEdits(new Map()), reference);
    expect(result.wild).toBeUndefined();
    expect(reference.localityAnswers).toBeUndefined();
  });
});
