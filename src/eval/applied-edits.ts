import type { LanguageModel } from '../models/language-model';
import { commitDelta, snapshotFor } from '../editors/commit-delta';
import type { DeltaOperation, EditOperation, KeyedOperation } from '../editors/edit-operation';
import type { MemoryRecord } from '../editors/edit-method';
import { viewOf } from '../memory/edit-effects';
import { DetectorRouter } from './detector-router';
import type { EditScopeKeys } from '../memory/stored-edit';

/**
 * Who sees an operation. 'detector' (the default): the probes the daemon's scope detector puts in
 * scope of the operation's statements, judged from each probe's prompt alone, as users get it.
 * 'oracle': only the in-scope probes of the records it was made for (a perfect scope detector:
 * the upper bound a real one can reach; locality probes are out of scope). 'global': every probe,
 * locality and unrelated probes included (KnowEdit's setting for ICE; for deltas the same as
 * committing them).
 */
export type Routing = 'oracle' | 'global' | 'detector';

/** Every routing, the default first. */
export const ROUTINGS: readonly Routing[] = ['detector', 'oracle', 'global'];

/** What one probe sees of the applied edits: context texts (oldest first), routed deltas, memory records. */
export interface ProbeView {
  contexts: string[];
  deltas: DeltaOperation[];
  /** Records the method's reader retrieves from (MeLLo); none when absent. */
  memory?: MemoryRecord[];
  /** Keyed operations (MELO blocks, GRACE entries): the probe's own hidden-state key selects one of them, or none. */
  keyed?: KeyedOperation[];
  /** With routing 'detector': picks the operations in scope of the probe's prompt (added to the lists above). */
  router?: { select(prompt: string): Promise<EditOperation[]> };
}

/** A probe's view with its router's selection for `prompt` resolved into the lists. */
export async function resolveView(view: ProbeView, prompt: string): Promise<ProbeView> {
  if (!view.router) return view;
  const routed = viewOf(await view.router.select(prompt));
  return {
    contexts: [...view.contexts, ...routed.contexts],
    deltas: [...view.deltas, ...routed.deltas],
    memory: [...(view.memory ?? []), ...routed.memory],
    keyed: [...(view.keyed ?? []), ...routed.keyed],
  };
}

/** Anything that tells a probe what it sees of the edits (one AppliedEdits, or one per record). */
export interface ProbeEdits {
  /** `record`: the record the probe belongs to (undefined for unrelated probes); `inScope`: false for locality probes. */
  view(record: number | undefined, inScope: boolean): ProbeView;
}

const NO_EDITS: ProbeView = { contexts: [], deltas: [] };

/**
 * Single-edit protocol over several records at once: each record sees only its own edits, so
 * records that change no weights can share forward passes.
 */
export class PerRecordEdits implements ProbeEdits {
  constructor(private readonly edits: ReadonlyMap<number, AppliedEdits>) {}

  view(record: number | undefined, inScope: boolean): ProbeView {
    const own = record === undefined ? undefined : this.edits.get(record);
    return own ? own.view(record, inScope) : NO_EDITS;
  }
}

/**
 * The edits applied to a model during an evaluation, by record. Context operations prefix prompts;
 * delta operations are fed as routed per-sequence deltas, or merged into the weights when
 * committed (then every probe sees them, whatever the routing).
 */
export class AppliedEdits implements ProbeEdits {
  private readonly global: EditOperation[] = [];
  private readonly byRecord = new Map<number, EditOperation[]>();
  private readonly undo: Array<() => void> = [];
  private count = 0;

  private router?: DetectorRouter;

  constructor(
    private readonly model: LanguageModel,
    readonly routing: Routing,
    readonly commit: boolean,
    /** With routing 'detector': each record's edits' scopes, as the daemon stores a fact's. */
    private readonly scopesOf: (record: number) => EditScopeKeys[] = () => [],
  ) {}

  get size(): number {
    return this.count;
  }

  /** Applies an operation made for the given records. */
  add(operation: EditOperation, records: number[]): void {
    this.count++;
    if (operation.kind === 'delta' && this.commit) {
      this.undo.push(snapshotFor(this.model.config, this.model.weights, [operation]));
      commitDelta(this.model.config, this.model.weights, operation);
      return;
    }
    if (this.routing === 'global') {
      this.global.push(operation);
      return;
    }
    if (this.routing === 'detector') {
      this.router ??= new DetectorRouter();
      this.router.add(operation, records.flatMap((r) => this.scopesOf(r)));
      return;
    }
    for (const record of records) {
      const list = this.byRecord.get(record) ?? [];
      list.push(operation);
      this.byRecord.set(record, list);
    }
  }

  /** What a probe sees: `record` is the record it belongs to (undefined for unrelated probes). */
  view(record: number | undefined, inScope: boolean): ProbeView {
    if (this.router) return { ...viewOf(this.global), router: this.router };
    const routed = inScope && record !== undefined ? (this.byRecord.get(record) ?? []) : [];
    return viewOf(routed.length ? [...this.global, ...routed] : this.global);
  }

  /** Back to the unedited model: committed deltas restored exactly from their snapshots, newest first. */
  restore(): void {
    while (this.undo.length) this.undo.pop()!();
    this.global.length = 0;
    this.byRecord.clear();
    this.router?.close();
    this.router = undefined;
    this.count = 0;
  }
}
