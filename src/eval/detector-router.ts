import { connect } from '@lancedb/lancedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EditOperation } from '../editors/edit-operation';
import { EditMemory, type MemoryEdit } from '../memory/edit-memory';
import { loadScopeClassifier } from '../memory/scope/load-classifier';
import type { ScopeClassifier } from '../memory/scope/scope-classifier';
import type { ScopedEdit } from '../memory/scope/scope-detector';
import { scopedEditOf, scopeKeysOf, type EditScopeKeys } from '../memory/stored-edit';

/**
 * The daemon's routing in the harness: the applied operations go into an `EditMemory`, the same
 * class the daemon routes requests with (LanceDB in a temporary directory, the committed
 * classifier), each scope stored and read back as the daemon stores a fact's edit. A probe sees what the
 * memory resolves for its prompt: the edits in scope of its text, the memory records once it
 * names a record's subject, and every keyed operation, of which the probe's own hidden-state key
 * then selects the nearest within its radius, as in the daemon. Unlike 'oracle',
 * misses and false positives count.
 */
export class DetectorRouter {
  private readonly ops: EditOperation[] = [];
  private pending: Array<{ edit: MemoryEdit; scope: ScopedEdit }> = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'ked-eval-scope-'));
  private memory?: Promise<EditMemory>;
  private readonly selected = new Map<string, EditOperation[]>();

  constructor(private readonly classifier: ScopeClassifier = loadScopeClassifier()) {}

  add(op: EditOperation, scopes: readonly EditScopeKeys[]): void {
    const index = this.ops.length;
    this.ops.push(op);
    scopes.forEach((scope, k) => {
      const id = `${index}:${k}`;
      // One operation stated for several facts is one payload, applied once (a batch edit in the daemon).
      this.pending.push({ edit: { id, factId: null, erasureId: null, subjects: scope.subjects, operation: op, payloadSha256: `operation ${index}` }, scope: scopedEditOf({ id, scopeKeys: scopeKeysOf(scope) }) });
    });
    this.selected.clear();
  }

  /** The operations that apply to a prompt, in the order they were applied. */
  async select(prompt: string): Promise<EditOperation[]> {
    let ops = this.selected.get(prompt);
    if (!ops) {
      const memory = await this.ready();
      const resolved = await memory.resolve(prompt);
      const chosen = new Map<number, EditOperation>();
      for (const edit of [...resolved.edits, ...resolved.records.map((r) => r.edit), ...memory.keyedEdits()]) {
        const index = Number(edit.id.split(':')[0]);
        if (!chosen.has(index)) chosen.set(index, edit.operation);
      }
      ops = [...chosen].sort(([a], [b]) => a - b).map(([, op]) => op);
      this.selected.set(prompt, ops);
    }
    return ops;
  }

  /** Removes the memory's temporary LanceDB directory. */
  close(): void {
    void this.memory?.then((m) => m.close());
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<EditMemory> {
    this.memory ??= (async () => EditMemory.open(await connect(this.dir), this.classifier))();
    const memory = await this.memory;
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await memory.add(batch);
    }
    return memory;
  }
}
