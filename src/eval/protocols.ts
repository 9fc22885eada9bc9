import { AppliedEdits, PerRecordEdits, type Routing } from './applied-edits';
import { factScope, type EditScopeKeys } from '../memory/stored-edit';
import type { EvalCase } from './dataset/eval-case';
import type { EditMethod, EditorResources, KnowledgeBase } from '../editors/edit-method';
import { measureCases, measurePreEdit, type MeasureOptions, type PreEditReference } from './measure-cases';
import type { RunStore, StoredEdit, StoredResult } from './run-store';

/** Survey §4: single (edit, measure, restore), sequential (N edits, then measure all), batch (one call edits N). */
export type Protocol = 'single' | 'sequential' | 'batch';

export interface ProtocolRun extends MeasureOptions, EditorResources {
  method: EditMethod;
  hparams: unknown;
  routing: Routing;
  commit: boolean;
  store: RunStore;
  /** Where detector routing finds the subjects' other names, as the daemon's KED_KNOWLEDGE_BASE. */
  knowledge?: KnowledgeBase;
  /** Records measured (and, in single mode, edited) per forward-pass group (default 16). */
  casesPerPass?: number;
  onProgress?: (phase: 'edit' | 'measure', done: number, total: number) => void;
}

/**
 * Single-edit protocol. Records whose edits change no weights are measured together (each sees
 * only its own edits); committed edits go one record at a time, restored exactly afterwards.
 */
export async function runSingle(run: ProtocolRun, cases: readonly EvalCase[]): Promise<void> {
  const done = run.store.results();
  const todo = cases.filter((c) => !done.has(c.index));
  const size = run.commit ? 1 : (run.casesPerPass ?? 16);
  let measured = 0;
  for (let start = 0; start < todo.length; start += size) {
    const chunk = todo.slice(start, start + size);
    const reference = await measurePreEdit(run, chunk);
    const perRecord = new Map<number, AppliedEdits>();
    const seconds = new Map<number, number>();
    try {
      for (const c of chunk) {
        const edits = new AppliedEdits(run.model, run.routing, run.commit, scopesOf(chunk, run.knowledge));
        perRecord.set(c.index, edits);
        const stored = await editRecord(run, c, edits, new Map());
        seconds.set(c.index, stored.reduce((s, e) => s + e.seconds, 0));
      }
      const results = await measureCases(run, chunk, new PerRecordEdits(perRecord), reference);
      run.store.appendResults(results.map((r, i) => ({ ...r, seconds: seconds.get(r.index)!, requests: chunk[i].requests.length })));
    } finally {
      for (const edits of perRecord.values()) edits.restore();
    }
    measured += chunk.length;
    run.onProgress?.('measure', measured, todo.length);
  }
}

/**
 * Sequential and batch protocols: every record's edit is applied (computed now, or re-applied
 * from edits.jsonl when resuming), then all records are measured against the pre-edit model.
 * `between` runs with the edits applied (general ability); the model is restored at the end.
 */
export async function runAccumulated(
  run: ProtocolRun,
  cases: readonly EvalCase[],
  mode: 'sequential' | 'batch',
  hooks: { before?: () => Promise<void>; between?: (edits: AppliedEdits) => Promise<void> } = {},
): Promise<void> {
  const done = run.store.results();
  const chunks = chunked(
    cases.filter((c) => !done.has(c.index)),
    run.casesPerPass ?? 16,
  );
  // The pre-edit side is measured before any edit can change the weights.
  const references: PreEditReference[] = [];
  for (const chunk of chunks) references.push(await measurePreEdit(run, chunk));
  await hooks.before?.();

  const edits = new AppliedEdits(run.model, run.routing, run.commit, scopesOf(cases, run.knowledge));
  // Method state (AlphaEdit's preserved keys) lives as long as these edits; edits re-applied
  // from a resumed run directory do not restore it.
  const methodState = new Map<string, unknown>();
  try {
    const stored = run.store.edits();
    for (const e of stored) for (const op of e.operations) edits.add(op, ownersOf(op.requests, e.owners));
    const edited = new Set(stored.flatMap((e) => e.owners));
    const pending = cases.filter((c) => !edited.has(c.index));
    if (mode === 'batch' && pending.length) stored.push(await editBatch(run, pending, edits, methodState));
    else {
      for (const [i, c] of pending.entries()) {
        stored.push(...(await editRecord(run, c, edits, methodState)));
        run.onProgress?.('edit', i + 1, pending.length);
      }
    }
    const seconds = secondsByRecord(stored);
    let measured = 0;
    for (const [i, chunk] of chunks.entries()) {
      const results = await measureCases(run, chunk, edits, references[i]);
      run.store.appendResults(results.map((r, j): StoredResult => ({ ...r, seconds: seconds.get(r.index) ?? 0, requests: chunk[j].requests.length })));
      measured += chunk.length;
      run.onProgress?.('measure', measured, chunks.flat().length);
    }
    await hooks.between?.(edits);
  } finally {
    edits.restore();
  }
}

/**
 * Edits one record: one compute call for all its requests when the method is batchable,
 * otherwise one call per request (each seeing the previous ones when committed). Timed per call.
 */
async function editRecord(run: ProtocolRun, c: EvalCase, edits: AppliedEdits, methodState: Map<string, unknown>): Promise<StoredEdit[]> {
  const groups = run.method.capabilities.batchable ? [c.requests] : c.requests.map((r) => [r]);
  const out: StoredEdit[] = [];
  for (const requests of groups) {
    const started = performance.now();
    const operations = await run.method.compute({ ...run, methodState }, requests, run.hparams);
    for (const op of operations) edits.add(op, [c.index]);
    const edit = { owners: requests.map(() => c.index), seconds: (performance.now() - started) / 1000, operations };
    run.store.appendEdit(edit);
    out.push(edit);
  }
  return out;
}

/** The batch protocol's one compute call over every pending record's requests. */
async function editBatch(run: ProtocolRun, pending: readonly EvalCase[], edits: AppliedEdits, methodState: Map<string, unknown>): Promise<StoredEdit> {
  const requests = pending.flatMap((c) => c.requests);
  const owners = pending.flatMap((c) => c.requests.map(() => c.index));
  const started = performance.now();
  const operations = await run.method.compute({ ...run, methodState }, requests, run.hparams);
  for (const op of operations) edits.add(op, ownersOf(op.requests, owners));
  const edit = { owners, seconds: (performance.now() - started) / 1000, operations };
  run.store.appendEdit(edit);
  run.onProgress?.('edit', pending.length, pending.length);
  return edit;
}

/** The records an operation serves; an operation naming no request serves the whole call. */
function ownersOf(requests: readonly number[], owners: readonly number[]): number[] {
  return [...new Set(requests.length ? requests.map((i) => owners[i]) : owners)];
}

/** Each call's time shared among its records by their number of requests. */
function secondsByRecord(edits: readonly StoredEdit[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of edits) for (const owner of e.owners) out.set(owner, (out.get(owner) ?? 0) + e.seconds / e.owners.length);
  return out;
}

/**
 * What each record's edits state, as the daemon keys them: subject with the other names the
 * knowledge base knows it by, and prompt followed by the new target.
 */
function scopesOf(cases: readonly EvalCase[], knowledge?: KnowledgeBase): (record: number) => EditScopeKeys[] {
  const byIndex = new Map(cases.map((c) => [c.index, c]));
  return (record) => (byIndex.get(record)?.requests ?? []).map((r) => factScope(r.subject, r.prompt, r.target_new, r.subject ? (knowledge?.aliasesOf(r.subject) ?? []) : []));
}

function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
