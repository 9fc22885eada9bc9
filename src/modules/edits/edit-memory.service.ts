import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import type { FactRetriever, MemoryRecord } from '../../editors/edit-method';
import { isKeyed, type EditOperation as Operation, type HiddenKey, type KeyedOperation } from '../../editors/edit-operation';
import { keySpecId } from '../../editors/keys/hidden-keys';
import { decodeOperation, encodeOperation } from '../../editors/operation-codec';
import { EditOperation } from '../../memory/entities/edit-operation.entity';
import { scopeRetriever } from '../../memory/scope/fact-retriever';
import { loadScopeClassifier } from '../../memory/scope/load-classifier';
import { ScopeDetector, type ScopedEdit } from '../../memory/scope/scope-detector';
import { ScopeIndex } from '../../memory/scope/scope-index';
import { mentionOf } from '../../memory/scope/subject-digest';
import { WordConcepts } from '../../memory/scope/word-concepts';
import { HiddenKeyIndex } from '../../memory/vector/hidden-key-index';
import { HiddenKeyScan } from '../../memory/vector/hidden-key-scan';
import { LanceService } from '../../memory/vector/lance.service';
import { SessionManager } from '../../runtime/session/session-manager';
import { EditEventsService } from './edit-events.service';

/** A routed edit the daemon applies to requests in its scope. */
export interface ActiveEdit {
  id: string;
  factId: string | null;
  /** The privacy erasure this edit belongs to (its suppression or reinforcement), if any. */
  erasureId: string | null;
  /** Subject strings the scope detector requires a request to name. */
  subjects: string[];
  operation: Operation;
  /** Content address of the payload: operations shared by a batch have the same one. */
  payloadSha256: string | null;
}

/** A memory record (MeLLo, PokeMQA) and the edit that holds it. */
export interface ActiveRecord {
  edit: ActiveEdit;
  record: MemoryRecord;
}

/** What a fact edit is about, as the scope detector reads it. */
export interface EditScope {
  subjects: string[];
  /** The edit as a statement: the fact's prompt followed by its new target. */
  statement: string;
  /** The fact's new target, which ends the statement (the scope detector learns relations' wordings from them). */
  object?: string;
  /** "subject": in scope of any request naming the subject (suppression edits). */
  match?: 'relation' | 'subject';
}

/**
 * The RASE edit memory's routing side: every stored routed operation, decoded once and kept in
 * memory, and the scope detector (LanceDB scope keys + trained classifier, src/memory/scope)
 * that picks the ones a request needs. Postgres is the record; the LanceDB keys are rebuilt
 * from it at start wherever the two disagree (a crash between commit and indexing).
 */
@Injectable()
export class EditMemoryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EditMemoryService.name);
  private readonly active = new Map<string, ActiveEdit>();
  /** Each active edit's place in the order edits were made routable (inScope keeps it without a scan). */
  private readonly order = new Map<string, number>();
  private made = 0;
  /** The active edits that are memory records, read by their method's decoding rather than prefixed. */
  private readonly records = new Map<string, ActiveRecord>();
  /** The active keyed operations (MELO blocks, GRACE entries): a request's hidden-state key selects one, never its text. */
  private readonly keyed = new Map<string, ActiveEdit & { operation: KeyedOperation; spec: string }>();
  /** Their keys by key spec, packed for the per-request search. */
  private readonly keyScans = new Map<string, { spec: Pick<HiddenKey, 'tap' | 'position'>; scan: HiddenKeyScan }>();
  /**
   * The scans' dot-product sessions (one small MatMul graph per key width), on the caller's
   * thread: a thread pool of their own would spin beside the model's after each scan (measured:
   * +6 ms per request on 2 cores, against +2 ms on one thread).
   */
  private readonly scanSessions = new SessionManager({ maxSessions: 4, threads: 1 });
  private keyIndex?: Promise<HiddenKeyIndex>;
  private detector?: ScopeDetector;
  private factRetriever?: FactRetriever;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly lance: LanceService,
    private readonly events: EditEventsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // WordNet is read once here rather than inside the first request that needs it (~0.4 s).
    WordConcepts.load();
    const index = await ScopeIndex.open(this.lance.connection);
    const classifier = loadScopeClassifier();
    this.detector = new ScopeDetector(index, classifier);
    this.factRetriever = scopeRetriever(classifier);
    await this.detector.load();
    // Other daemons on the same server activate and deactivate edits too; listening before the
    // first reconcile loses nothing in between (both only make routing match the rows).
    this.events.subscribe(
      async (event) => {
        if (event.kind === 'routing') await this.reload(event.ids);
      },
      async () => void (await this.reconcile()),
    );
    const { loaded, stale } = await this.reconcile();
    if (loaded || stale) this.logger.log(`edit memory: ${loaded} routed edits loaded, ${stale} stale scope keys removed`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.scanSessions.close();
  }

  /**
   * Makes routing match Postgres: the live routed rows are active, nothing else is; scope keys
   * LanceDB lacks are added and keys it should not have are dropped (a crash between commit and
   * indexing, another daemon's changes while events were lost).
   */
  private async reconcile(): Promise<{ loaded: number; stale: number }> {
    const rows = await this.dataSource.getRepository(EditOperation).find({ where: { status: In(['applied', 'verified']), mode: 'routed' }, order: { createdAt: 'ASC' } });
    const live = new Set(rows.map((r) => r.id));
    const indexed = new Set(this.scope.ids());
    const stale = [...indexed].filter((id) => !live.has(id));
    await this.scope.remove(stale);
    for (const id of [...this.active.keys()]) if (!live.has(id)) this.forget(id);
    await this.scope.add(rows.filter((r) => !indexed.has(r.id)).map(scopedEdit));
    for (const row of rows) if (!this.active.has(row.id)) this.remember(activeEdit(row));
    await this.indexKeys(this.keyed.keys());
    if (this.keyIndex) {
      const index = await this.keyIndex;
      await index.remove((await index.ids()).filter((id) => !this.keyed.has(id)));
    }
    return { loaded: rows.length, stale: stale.length };
  }

  /** Re-reads the named rows after another daemon changed them: live routed rows are routed, others not. */
  private async reload(ids: readonly string[]): Promise<void> {
    const rows = await this.dataSource.getRepository(EditOperation).findBy({ id: In([...ids]) });
    const live = rows.filter((r) => r.mode === 'routed' && (r.status === 'applied' || r.status === 'verified'));
    const liveIds = new Set(live.map((r) => r.id));
    await this.deactivate(ids.filter((id) => !liveIds.has(id)), { publish: false });
    await this.activate(live.filter((r) => !this.active.has(r.id)), { publish: false });
  }

  get size(): number {
    return this.active.size;
  }

  private get scope(): ScopeDetector {
    if (!this.detector) throw new Error('the edit memory is not loaded yet');
    return this.detector;
  }

  /** What memory readers retrieve records with: the detector's retrieval vectors and its stage 2. */
  get retriever(): FactRetriever {
    if (!this.factRetriever) throw new Error('the edit memory is not loaded yet');
    return this.factRetriever;
  }

  private remember(edit: ActiveEdit): void {
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

  /** Stores an operation (payload content-addressed by its sha256) inside the caller's transaction. */
  async save(manager: EntityManager, row: { factId: string | null; erasureId?: string; operation: Operation; scope: EditScope; verification: unknown }): Promise<EditOperation> {
    const payload = encodeOperation(row.operation);
    const text = JSON.stringify(payload);
    return manager.getRepository(EditOperation).save({
      factId: row.factId,
      erasureId: row.erasureId ?? null,
      method: row.operation.method,
      kind: row.operation.kind,
      mode: 'routed',
      layers: row.operation.kind === 'delta' ? row.operation.factors.map((f) => f.layer) : row.operation.kind === 'codebook' ? [row.operation.key.tap.layer] : [],
      payloadSha256: createHash('sha256').update(text).digest('hex'),
      payload,
      scopeKeys: [...row.scope.subjects.map((s) => ({ kind: 'subject', text: s })), { kind: 'statement', text: row.scope.statement }, { kind: 'match', text: row.scope.match ?? 'relation' }, ...(row.scope.object ? [{ kind: 'object', text: row.scope.object }] : [])],
      status: 'verified',
      modelVersionId: null,
      verification: row.verification,
    });
  }

  /** Makes stored operations visible to routing (after their transaction committed), here and in the other daemons. */
  async activate(rows: readonly EditOperation[], options: { publish?: boolean } = {}): Promise<void> {
    if (!rows.length) return;
    await this.scope.add(rows.map(scopedEdit));
    for (const row of rows) this.remember(activeEdit(row));
    await this.indexKeys(rows.map((r) => r.id));
    if (options.publish ?? true) await this.events.publish({ kind: 'routing', ids: rows.map((r) => r.id) });
  }

  /** Whether the active edit belongs to a privacy erasure (audits never count or quarantine those). */
  isErasureEdit(id: string): boolean {
    return (this.active.get(id)?.erasureId ?? null) !== null;
  }

  /**
   * Whether a request names an erased subject: an erasure's suppression edit is in its scope
   * (it matches any request naming the subject, by the subject's digest).
   */
  async namesErasedSubject(text: string): Promise<boolean> {
    const matches = await this.scope.route(text);
    return matches.some((m) => this.isErasureEdit(m.id));
  }

  /** Whether this daemon routes the operation now (it is active here). */
  isRouting(id: string): boolean {
    return this.active.has(id);
  }

  /** Takes operations out of routing (rollback, quarantine, erasure, commit), here and in the other daemons. */
  async deactivate(ids: readonly string[], options: { publish?: boolean } = {}): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) this.forget(id);
    await this.scope.remove(ids);
    if (this.keyIndex) await (await this.keyIndex).remove(ids);
    if (options.publish ?? true) await this.events.publish({ kind: 'routing', ids: [...ids] });
  }

  private forget(id: string): void {
    this.order.delete(id);
    this.active.delete(id);
    this.records.delete(id);
    const keyed = this.keyed.get(id);
    if (keyed) this.keyScans.get(keyed.spec)?.scan.delete(id);
    this.keyed.delete(id);
  }

  /** The LanceDB table of keyed operations' keys, opened for the key width on first use. */
  private keyTable(dimensions: number): Promise<HiddenKeyIndex> {
    this.keyIndex ??= HiddenKeyIndex.open(this.lance.connection, dimensions);
    return this.keyIndex;
  }

  /** Indexes the keys of the given active keyed operations (an upsert: safe to repeat). */
  private async indexKeys(ids: Iterable<string>): Promise<void> {
    const rows = [...ids].flatMap((id) => {
      const edit = this.keyed.get(id);
      return edit ? [{ editId: id, vector: edit.operation.key.center.data as Float32Array, radius: edit.operation.key.radius, spec: edit.spec }] : [];
    });
    if (rows.length) await (await this.keyTable(rows[0].vector.length)).upsert(rows);
  }

  /** How requests' keys must be read: one spec per kind of active keyed operation (none: no key is needed). */
  keySpecs(): Array<Pick<HiddenKey, 'tap' | 'position'>> {
    return [...this.keyScans.values()].filter((e) => e.scan.size > 0).map((e) => e.spec);
  }

  /**
   * The keyed operation a request's key selects: the nearest centre within its radius (the newest
   * on a tie), or none. Searched in memory (HiddenKeyScan), not in LanceDB: a query there took
   * ~26 ms at 10,000 keys, the scan ~0.25 ms.
   */
  async keyedFor(key: Float32Array, spec: Pick<HiddenKey, 'tap' | 'position'>): Promise<ActiveEdit | undefined> {
    const hit = await this.keyScans.get(keySpecId(spec))?.scan.nearest(key);
    return hit && this.keyed.get(hit.id);
  }

  /** Makes removed scope keys physically gone (compaction and old-version cleanup). */
  async purge(): Promise<void> {
    await this.scope.purge();
    if (this.keyIndex) await (await this.keyIndex).purge();
  }

  /**
   * Every memory record, oldest first, when the request names the subject of one of them (a
   * request naming no edited subject sees the unedited model); otherwise none. A multi-hop
   * question is read against all records: its later hops name subjects it does not.
   */
  async recordsFor(text: string): Promise<ActiveRecord[]> {
    if (this.records.size === 0) return [];
    const named = await this.scope.candidates(text);
    if (!named.some((id) => this.records.has(id))) return [];
    return [...this.records.values()];
  }

  /** Whether a request asks the very fact an edit changed: an audit does not count that change against the edit. */
  asksEditedFact(text: string, editId: string): boolean {
    return this.scope.asksEditedFact(text, editId);
  }

  /**
   * The edits in scope of a request's text, in the order they were made; an operation stored
   * for several facts of one batch (same payload) is applied once.
   */
  async inScope(text: string): Promise<ActiveEdit[]> {
    const matches = await this.scope.route(text);
    const payloads = new Set<string>();
    const found = matches
      .flatMap((m) => {
        const edit = this.active.get(m.id);
        // Memory records are read by their method (recordsFor) and keyed operations are selected by
        // the request's hidden state (keyedFor): neither is applied for its text.
        return edit && !this.records.has(m.id) && !this.keyed.has(m.id) ? [edit] : [];
      })
      .sort((a, b) => this.order.get(a.id)! - this.order.get(b.id)!)
      .filter((e) => {
        if (e.payloadSha256 === null) return true;
        if (payloads.has(e.payloadSha256)) return false;
        payloads.add(e.payloadSha256);
        return true;
      });
    return found.map((e) => withMention(e, text));
  }
}

/**
 * The edit as applied to this request: a context with a subject slot gets the request's own
 * mention of the edit's digested subject (it matched on that digest, so the mention is there).
 */
function withMention(edit: ActiveEdit, text: string): ActiveEdit {
  const op = edit.operation;
  if (op.kind !== 'context' || op.subjectSlot === undefined) return edit;
  const mention = mentionOf(text, edit.subjects) ?? 'this subject';
  return { ...edit, operation: { ...op, text: op.text.replaceAll(op.subjectSlot, mention) } };
}

function keysOf(row: EditOperation): Array<{ kind?: string; text?: string }> {
  return row.scopeKeys as Array<{ kind?: string; text?: string }>;
}

function subjectsOf(row: EditOperation): string[] {
  return keysOf(row).filter((k) => k.kind === 'subject' && k.text).map((k) => k.text!);
}

function activeEdit(row: EditOperation): ActiveEdit {
  return { id: row.id, factId: row.factId, erasureId: row.erasureId, subjects: subjectsOf(row), operation: decodeOperation(row.payload), payloadSha256: row.payloadSha256 };
}

function scopedEdit(row: EditOperation): ScopedEdit {
  const keys = keysOf(row);
  const subjects = subjectsOf(row);
  // Rows stored before statements were kept scope on their subject alone.
  const statement = keys.find((k) => k.kind === 'statement')?.text ?? subjects.join(' ');
  const match = keys.find((k) => k.kind === 'match')?.text === 'subject' ? 'subject' : 'relation';
  const object = keys.find((k) => k.kind === 'object')?.text;
  return { id: row.id, text: statement, subjects, match, object };
}
