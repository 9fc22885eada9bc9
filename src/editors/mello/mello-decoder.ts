import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import type { FactRetriever, MemoryRecord } from '../edit-method';

export interface TraceOptions {
  /** Subquestions before "Final answer:" is forced. */
  maxHops: number;
  /** Tokens one generated line may take. */
  lineTokens: number;
  /** Traces decoded together per forward pass. */
  batchSize: number;
  /**
   * Which records a subquestion sees. 'nearest' (MeLLo): always the nearest record, and the model's
   * own contradiction check decides whether to follow it. 'in-scope' (PokeMQA): the scope detector
   * decides; the nearest in-scope record answers the hop itself (its object is written as the
   * intermediate answer), and a hop with none in scope keeps the model's answer and is shown the
   * nearest record about another subject (the trace format always carries a retrieved fact).
   */
  retrieval: 'nearest' | 'in-scope';
}

/** One hop of a decoded trace. */
export interface TraceHop {
  subquestion: string;
  generated: string;
  /** The retrieved record's text, or null when none was shown. */
  retrieved: string | null;
}

export interface DecodedTrace {
  /** The trace up to and including "Final answer:" (what is scored or continued). */
  prompt: string;
  hops: TraceHop[];
  /** False when the hop limit forced the final answer. */
  finished: boolean;
}

const QUESTION_PROBE = /^Q: (.+\?)\s*A:$/s;

/** The question a prompt asks ("Q: …? A:" or a bare question), or null for a cloze prompt. */
export function questionOf(prompt: string): string | null {
  const trimmed = prompt.trim();
  const probe = QUESTION_PROBE.exec(trimmed);
  if (probe) return probe[1].trim();
  return trimmed.endsWith('?') ? trimmed : null;
}

interface TraceState {
  text: string;
  memory: readonly MemoryRecord[];
  hops: TraceHop[];
  /** What the next generated line must be. */
  expecting: 'step' | 'generated';
  done: boolean;
  finished: boolean;
}

/**
 * MeLLo's decomposition (Zhong et al. 2023; survey §3.3.1) in the trace format the fixture
 * corpus teaches: the model writes a subquestion and its own answer, ked appends the record
 * retrieved for the subquestion ("Retrieved fact: …."), and the model continues — with the
 * retrieved object where the fact contradicts its answer, with its own answer otherwise — until
 * it writes "Final answer:". All traces of a call advance together, one line per round.
 */
export async function decodeTraces(
  model: LanguageModel,
  tokenizer: KedTokenizer,
  retriever: FactRetriever,
  questions: ReadonlyArray<{ question: string; memory: readonly MemoryRecord[]; entity?: string }>,
  options: TraceOptions,
): Promise<DecodedTrace[]> {
  const states: TraceState[] = questions.map((q) => ({ text: opening(q.question, q.entity), memory: q.memory, hops: [], expecting: 'step', done: false, finished: false }));
  const stopIds = newlineIds(tokenizer, model.config.vocabSize);
  // Each hop takes two rounds (subquestion, generated answer); one more for the final answer.
  for (let round = 0; round < 2 * options.maxHops + 1 && states.some((s) => !s.done); round++) {
    const active = states.filter((s) => !s.done);
    for (let start = 0; start < active.length; start += options.batchSize) {
      const chunk = active.slice(start, start + options.batchSize);
      const prompts = chunk.map((s) => windowed(tokenizer.encode(promptFor(s)), model.config.maxPositions - options.lineTokens));
      const generated = await model.generate(prompts, { maxNewTokens: options.lineTokens, greedy: true, stopIds });
      chunk.forEach((state, i) => advance(state, tokenizer.decode(generated[i], { skipSpecialTokens: true }), retriever, options));
    }
  }
  for (const state of states) if (!state.done) finish(state, false);
  return states.map((s) => ({ prompt: s.text, hops: s.hops, finished: s.finished }));
}

/** The trace's first line(s): the question, then PokeMQA's knowledge prompt when there is one. */
function opening(question: string, entity: string | undefined): string {
  return entity === undefined ? `Question: ${question}` : `Question: ${question}\nEntity of Question: ${sentence(entity)}`;
}

function promptFor(state: TraceState): string {
  return state.expecting === 'generated' ? `${state.text}\nGenerated answer:` : `${state.text}\n`;
}

function advance(state: TraceState, line: string, retriever: FactRetriever, options: TraceOptions): void {
  const text = line.split('\n')[0].trim();
  if (state.expecting === 'generated') {
    const hop = state.hops[state.hops.length - 1];
    hop.generated = text.replace(/\.$/, '');
    state.text += `\nGenerated answer: ${text}`;
    const record = retrieve(retriever, hop.subquestion, state.memory, options.retrieval);
    hop.retrieved = record?.text ?? null;
    if (record) state.text += `\nRetrieved fact: ${sentence(record.text)}`;
    state.expecting = 'step';
    return;
  }
  const subquestion = /^Subquestion:\s*(.+)$/.exec(text);
  if (!subquestion || state.hops.length >= options.maxHops) {
    // "Final answer: …", anything malformed, or the hop limit: the answer comes next.
    finish(state, /^Final answer:/.test(text));
    return;
  }
  const hop: TraceHop = { subquestion: subquestion[1].trim(), generated: '', retrieved: null };
  state.hops.push(hop);
  state.text += `\nSubquestion: ${hop.subquestion}`;
  state.expecting = 'generated';
  if (options.retrieval !== 'in-scope') return;
  const record = nearestRecord(retriever, hop.subquestion, state.memory, (r) => !!r.object && retriever.inScope(hop.subquestion, r));
  if (!record) return;
  // The detector's decision stands: the hop is answered by the record, not by the model.
  hop.generated = record.object!;
  hop.retrieved = record.text;
  state.text += `\nGenerated answer: ${sentence(record.object!)}\nRetrieved fact: ${sentence(record.text)}`;
  state.expecting = 'step';
}

function finish(state: TraceState, finished: boolean): void {
  state.text += '\nFinal answer:';
  state.done = true;
  state.finished = finished;
}

function retrieve(retriever: FactRetriever, query: string, memory: readonly MemoryRecord[], mode: TraceOptions['retrieval']): MemoryRecord | undefined {
  // In-scope hops were answered when their subquestion was read; what is left sees another subject's record.
  return nearestRecord(retriever, query, memory, mode === 'in-scope' ? (r) => !retriever.namesSubject(query, r) : undefined);
}

/** The record nearest to the query among those `keep` accepts (all when absent), if any. */
export function nearestRecord(retriever: FactRetriever, query: string, memory: readonly MemoryRecord[], keep?: (record: MemoryRecord) => boolean): MemoryRecord | undefined {
  const candidates = keep ? memory.filter(keep) : memory;
  const index = retriever.nearest(query, candidates);
  return index >= 0 ? candidates[index] : undefined;
}

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

/** Keeps the last `room` tokens: a trace longer than the window loses its oldest lines. */
function windowed(ids: number[], room: number): number[] {
  return ids.length > room ? ids.slice(ids.length - room) : ids;
}

const newlineCache = new WeakMap<KedTokenizer, number[]>();

/** Every token id whose text holds a newline: generation of one line stops at any of them. */
function newlineIds(tokenizer: KedTokenizer, vocabSize: number): number[] {
  let ids = newlineCache.get(tokenizer);
  if (!ids) {
    ids = [];
    for (let id = 0; id < vocabSize; id++) if (tokenizer.decode([id]).includes('\n')) ids.push(id);
    newlineCache.set(tokenizer, ids);
  }
  return ids;
}
