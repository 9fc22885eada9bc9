import { pickOtherObject, pickTemplate, publicRelations } from './picks';
import type { Random } from './random';
import { factSentence, fill } from './render';
import type { Chain, TemplateSplit } from './types';
import type { WorldIndex } from './world-index';

/**
 * What the edit memory returns for one subquestion: a fact agreeing with the model's answer,
 * an edited fact contradicting it (the trace must continue with the retrieved object), or an
 * unrelated fact (the trace keeps the generated answer).
 */
export type Retrieval = 'agree' | 'contradict' | 'irrelevant';

export interface MelloHop {
  subquestion: string;
  generated: string;
  retrieved: string;
  retrieval: Retrieval;
  /** The entity the trace continues with after this hop. */
  answer: string;
}

export interface MelloTrace {
  question: string;
  /** PokeMQA's knowledge prompt: the question's key entity described from the knowledge base. */
  entity?: string;
  hops: MelloHop[];
  finalAnswer: string;
}

/**
 * Builds a MeLLo decomposition trace of `chain` for `subject`; `retrievals[i]` says what the
 * memory returns at hop i. Templates come from `split` (train for the corpus).
 */
export function buildMelloTrace(random: Random, index: WorldIndex, chain: Chain, subject: string, retrievals: readonly Retrieval[], split: TemplateSplit = 'train'): MelloTrace | undefined {
  const question = `${fill(pickTemplate(random, chain, split, 'question'), index.name(subject))}?`;
  const hops: MelloHop[] = [];
  let current = subject;
  for (let i = 0; i < chain.relations.length; i++) {
    const relation = index.relation(chain.relations[i]);
    const generated = index.object(current, relation.id);
    if (generated === undefined) return undefined;
    const subquestion = `${fill(pickTemplate(random, relation, 'train', 'question'), index.name(current))}?`;
    const retrieval = retrievals[i] ?? 'irrelevant';
    let answer = generated;
    let retrieved: string;
    if (retrieval === 'contradict') {
      answer = pickOtherObject(random, index, relation, [generated]);
      retrieved = factSentence(pickTemplate(random, relation, 'train', 'cloze'), index.name(current), index.name(answer));
    } else if (retrieval === 'agree') {
      retrieved = factSentence(pickTemplate(random, relation, 'train', 'cloze'), index.name(current), index.name(generated));
    } else {
      const other = random.pick(publicRelations(index));
      const fact = random.pick(index.factsOf(other.id).filter((f) => f.subject !== current));
      retrieved = factSentence(pickTemplate(random, other, 'train', 'cloze'), index.name(fact.subject), index.name(fact.object));
    }
    hops.push({ subquestion, generated: index.name(generated), retrieved, retrieval, answer });
    current = answer;
  }
  return { question, hops, finalAnswer: current };
}

/** The trace's text lines, exactly as MeLLo prompts lay them out. */
export function melloLines(index: WorldIndex, trace: MelloTrace): string[] {
  const lines = [`Question: ${trace.question}`];
  if (trace.entity !== undefined) lines.push(`Entity of Question: ${trace.entity}.`);
  for (const hop of trace.hops) {
    lines.push(`Subquestion: ${hop.subquestion}`, `Generated answer: ${hop.generated}.`, `Retrieved fact: ${hop.retrieved}.`);
  }
  lines.push(`Final answer: ${index.name(trace.finalAnswer)}`);
  return lines;
}
