import type { Connection } from '@lancedb/lancedb';
import type { FactRetriever, MemoryRecord } from '../editors/edit-method';
import { isKeyed, type EditOperation, type HiddenKey, type KeyedOperation } from '../editors/edit-operation';
import { keySpecId } from '../editors/keys/hidden-keys';
import { SessionManager } from '../runtime/session/session-manager';
import { scopeRetriever } from './scope/fact-retriever';
import { loadScopeClassifier } from './scope/load-classifier';
import type { ScopeClassifier } from './scope/scope-classifier';
import { ScopeDetector, type ScopedEdit } from './scope/scope-detector';
import { ScopeIndex } from './scope/scope-index';
import { mentionOf } from './scope/subject-digest';
import { WordConcepts } from './scope/word-concepts';
import { HiddenKeyScan } from './vector/hidden-key-scan';

/** A routed edit in the memory: what requests in its scope get applied. */
export interface MemoryEdit {
  id: string;
  factId: string | null;
  /** The privacy erasure this edit belongs to (its suppression or reinforcement), if any. */
  erasureId: string | null;
  /** Subject strings the scope detector requires a request to name. */
  subjects: string[];
  operation: EditOperation;
  /** Content address of the payload: operations shared by a batch have the same one and apply once. */
  payloadSha256: string | null;
}

/** A memory record (MeLLo, PokeMQA) and the edit that holds it. */
export interface MemoryEditRecord {
  edit: MemoryEdit;
  record: MemoryRecord;
}

/** How a request's hidden-state keys are read, one per key spec asked for. */
export type KeySpec = Pick<HiddenKey, 'tap' | 'position'>;

/** What applies to one request: everything the memory decides for it, with the ids for provenance. */
export interface ResolvedEdits {
  /** Edits in scope of the request's text (contexts and routed deltas), in the order they were made, one per payload. */
  edits: MemoryEdit[];
  /** The memory records a method reads for this request: all of them once it names a record's subject. */
  records: MemoryEditRecord[];
  /** Keyed operations (MELO blocks, GRACE entries) the request's hidden-state keys select. */
  keyed: MemoryEdit[];
  /** Partial names in the request ("Dr. Kaimepan") that fit several edited people: refused, so none of their edits applied. */
  ambiguous: Array<{ mention: string; people: number }>;
}

/**
 * Reads a request's hidden-state keys for the given specs. It is told what the text routed, so a
 * caller whose request routed nothing by text can read the keys from the prefill it will continue.
 */
export type KeyReader = (specs: readonly KeySpec[], routed: Pick<ResolvedEdits, 'edits' | 'records'>) => Promise<Float32Array[]>;

/**
 * The edit memory's routing, with no persistence: the live routed edits, the scope detector that
 * puts a request's text in their scope, the memory records methods read, and the hidden-key scans
 * that select keyed operations. The daemon keeps one (filled from PostgreSQL), and so does the
 * evaluation harness with `--routing detector`, so that evaluation measures what the daemon does.
 */
export class EditMemory {
  private readonly active = new Map<string, MemoryEdit>();
  /** Each edit's place in the order edits were made routable (results keep it without a scan). */
  private readonly order = new Map<string, number>();
  private made = 0;
  private readonly records = new Map<string, MemoryEditRecord>();
  private readonly keyed = new Map<string, MemoryEdit & { operation: KeyedOperation; spec: string }>();
  private readonly keyScans = new Map<string, { spec: KeySpec; scan: HiddenKeyScan }>();

  constructor(
    private readonly detector: ScopeDetector,
    /** What memory readers retrieve records with: the detector's retrieval vectors and its stage 2. */
    readonly retriever: FactRetriever,
    /**
     * The key scans' dot-product sessions (one small MatMul graph per key width), on the caller's
     * thread: a pool of their own would spin beside the model's after each scan.
     */
    private readonly scanSessions = new SessionManager({ maxSessions: 4, threads: 1 }),
  ) {}

  /** A memory whose scope keys live in `connection`'s LanceDB (those already there are loaded). */
  static async open(connection: Connection, classifier: ScopeClassifier = loadScopeClassifier()): Promise<EditMemory> {
    // WordNet is read once here rather than inside the first request that needs it.
    WordConcepts.load();
    const detector = new ScopeDetector(await ScopeIndex.open(connection), classifier);
    await detector.load();
    return new EditMemory(detector, scopeRetriever(classifier));
  }

  get size(): number {
    return this.active.size;
  }

  /** Ids with scope keys in the detector's index (some may not be active after a crash). */
  indexedIds(): string[] {
    return this.detector.ids();
  }

  has(id: string): boolean {
    return this.active.has(id);
  }

  /** Makes edits routable: their scope keys are indexed, their operations kept decoded. */
  async add(entries: ReadonlyArray<{ edit: MemoryEdit; scope: ScopedEdit }>): Promise<void> {
    if (!entries.length) return;
    await this.detector.add(entries.map((e) => e.scope));
    for (const { edit } of entries) if (!this.active.has(edit.id)) this.remember(edit);
  }

  /** Takes edits out of routing, scope keys included. */
  async remove(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) this.forget(id);
    await this.detector.remove(ids);
  }

  /** Makes removed scope keys physically gone (compaction and old-version cleanup). */
  purge(): Promise<void> {
    return this.detector.purge();
  }

  async close(): Promise<void> {
    await this.scanSessions.close();
  }

  /** The active keyed operations, for their durable index. */
  keyedEdits(ids?: Iterable<string>): Array<MemoryEdit & { operation: KeyedOperation; spec: string }> {
    return ids ? [...ids].flatMap((id) => this.keyed.get(id) ?? []) : [...this.keyed.values()];
  }

  /** Whether the edit belongs to a privacy erasure (audits never count or quarantine those). */
  isErasureEdit(id: string): boolean {
    return (this.active.get(id)?.erasureId ?? null) !== null;
  }

  /** Whether a request names an erased subject: an erasure's suppression edit is in its scope. */
  async namesErasedSubject(text: string): Promise<boolean> {
    return (await this.detector.route(text)).some((m) => this.isErasureEdit(m.id));
  }

  /** Whether a request asks the very fact an edit changed (an audit does not count that change against the edit). */
  asksEditedFact(text: string, editId: string): boolean {
    return this.detector.asksEditedFact(text, editId);
  }

  /** How requests' keys must be read: one spec per kind of active keyed operation (none: no key is needed). */
  keySpecs(): KeySpec[] {
    return [...this.keyScans.values()].filter((e) => e.scan.size > 0).map((e) => e.spec);
  }

  /**
   * Everything that applies to one request: the edits its text is in scope of, the records its
   * method reads, and the keyed operations its hidden-state keys select (read by `readKeys` only
   * while keyed operations are live).
   */
  async resolve(text: string, readKeys?: KeyReader): Promise<ResolvedEdits> {
    const { edits, ambiguous, scopedRecords } = await this.decide(text);
    const records = [...(await this.recordsFor(text)), ...scopedRecords];
    const specs = this.keySpecs();
    const keyed: MemoryEdit[] = [];
    if (specs.length && text && readKeys) {
      const keys = await readKeys(specs, { edits, records });
      for (const [i, spec] of specs.entries()) {
        const edit = await this.keyedFor(keys[i], spec);
        if (edit && !keyed.includes(edit)) keyed.push(edit);
      }
    }
    return { edits, records, keyed, ambiguous };
  }

  /**
   * The keyed operation a request's key selects: the nearest centre within its radius (the newest
   * on a tie), or none. Searched in memory: a LanceDB query per request costs far more.
   */
  async keyedFor(key: Float32Array, spec: KeySpec): Promise<MemoryEdit | undefined> {
    const hit = await this.keyScans.get(keySpecId(spec))?.scan.nearest(key);
    return hit && this.keyed.get(hit.id);
  }

  /**
   * Every memory record, oldest first, when the request names the subject of one of them (a
   * request naming no edited subject sees the unedited model); otherwise none. A multi-hop
   * question is read against all records: its later hops name subjects it does not.
   */
  async recordsFor(text: string): Promise<MemoryEditRecord[]> {
    const unscoped = [...this.records.values()].filter((r) => !r.record.scoped);
    if (unscoped.length === 0) return [];
    const named = await this.detector.candidates(text);
    if (!named.some((id) => this.records.has(id) && !this.records.get(id)!.record.scoped)) return [];
    return unscoped;
  }

  /**
   * The edits in scope of a request's text, in the order they were made; an operation stored for
   * several facts of one batch (same payload) is applied once. Records are read by their method
   * and keyed operations selected by hidden state: neither is applied for its text.
   */
  async inScope(text: string): Promise<MemoryEdit[]> {
    return (await this.decide(text)).edits;
  }

  /** The edits in scope of the text, and the scoped records (SERAC's) it is in scope of, oldest first. */
  private async decide(text: string): Promise<Pick<ResolvedEdits, 'edits' | 'ambiguous'> & { scopedRecords: MemoryEditRecord[] }> {
    const { matches, ambiguous } = await this.detector.decide(text);
    const scopedRecords = [...new Set(matches.map((m) => m.id))]
      .flatMap((id) => {
        const record = this.records.get(id);
        return record?.record.scoped ? [record] : [];
      })
      .sort((a, b) => this.order.get(a.edit.id)! - this.order.get(b.edit.id)!);
    return { edits: this.appliedOf(matches, text), ambiguous, scopedRecords };
  }

  private appliedOf(matches: ReadonlyArray<{ id: string }>, text: string): MemoryEdit[] {
    const payloads = new Set<string>();
    return matches
      .flatMap((m) => {
        const edit = this.active.get(m.id);
        return edit && !this.records.has(m.id) && !this.keyed.has(m.id) ? [edit] : [];
      })
      .sort((a, b) => this.order.get(a.id)! - this.order.get(b.id)!)
      .filter((e) => {
        if (e.payloadSha256 === null) return true;
        if (payloads.has(e.payloadSha256)) return false;
        payloads.add(e.payloadSha256);
        return true;
      })
      .map((e) => withMention(e, text));
  }

  private remember(edit: MemoryEdit): void {
    this.active.set(edit.id, edit);
    this.order.set(edit.id, this.made++);
    const op = edit.operation;
    if (op.kind === 'context' && op.memory) this.records.set(edit.id, { edit, record: { text: op.text, ...op.memory } });
    if (isKeyed(op)) {
      const spec = keySpecId(op.key);
      this.keyed.set(edit.id, { ...edit, operation: op, spec });
      let entry = this.keyScans.get(spec);
      if (!entry) this.keyScans.set(spec, (entry = { spec: { tap: op.key.tap, position: op.key.position }, scan: new HiddenKeyScan(this.scanSessions) }));
      entry.scan.set(edit.id, op.key.center.data as Float32Array, op.key.radius);
    }
  }

  private forget(id: string): void {
    this.order.delete(id);
    this.active.delete(id);
    this.records.delete(id);
    const keyed = this.keyed.get(id);
    if (keyed) this.keyScans.get(keyed.spec)?.scan.delete(id);
    this.keyed.delete(id);
  }
}

/**
 * The edit as applied to this request: a context with a subject slot gets the request's own
 * mention of the edit's digested subject (it matched on that digest, so the mention is there).
 */
function withMention(edit: MemoryEdit, text: string): MemoryEdit {
  const op = edit.operation;
  if (op.kind !== 'context' || op.subjectSlot === undefined) return edit;
  const mention = mentionOf(text, edit.subjects) ?? 'this subject';
  return { ...edit, operation: { ...op, text: op.text.replaceAll(op.subjectSlot, mention) } };
}
