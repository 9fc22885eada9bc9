import { connect } from '@lancedb/lancedb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EditOperation } from '../editors/edit-operation';
import { loadScopeClassifier } from '../memory/scope/load-classifier';
import type { ScopeClassifier } from '../memory/scope/scope-classifier';
import { ScopeDetector, type ScopedEdit } from '../memory/scope/scope-detector';
import { ScopeIndex } from '../memory/scope/scope-index';

/** What an edit is about, as the daemon stores it: its subject and the statement it makes. */
export interface EditStatement {
  subject?: string;
  /** The request's prompt followed by its new target. */
  statement: string;
  /** The new target the statement ends with. */
  object?: string;
}

/**
 * The daemon's routing in the harness: every applied operation's statements are scope keys of a
 * real scope detector (LanceDB table in a temporary directory, the committed classifier), and a
 * probe sees exactly the operations the detector puts its prompt in scope of. Unlike 'routed'
 * (an oracle), misses and false positives count.
 */
export class DetectorRouter {
  private readonly ops: EditOperation[] = [];
  private pending: ScopedEdit[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'ked-eval-scope-'));
  private detector?: Promise<ScopeDetector>;
  private readonly selected = new Map<string, EditOperation[]>();

  constructor(private readonly classifier: ScopeClassifier = loadScopeClassifier()) {}

  add(op: EditOperation, statements: readonly EditStatement[]): void {
    const id = this.ops.length;
    this.ops.push(op);
    statements.forEach((s, k) => this.pending.push({ id: `${id}:${k}`, text: s.statement, subjects: s.subject ? [s.subject] : undefined, object: s.object }));
    this.selected.clear();
  }

  /** The operations in scope of a prompt, in the order they were applied. */
  async select(prompt: string): Promise<EditOperation[]> {
    let ops = this.selected.get(prompt);
    if (!ops) {
      const detector = await this.ready();
      const ids = new Set((await detector.route(prompt)).map((m) => Number(m.id.split(':')[0])));
      ops = [...ids].sort((a, b) => a - b).map((i) => this.ops[i]);
      this.selected.set(prompt, ops);
    }
    return ops;
  }

  /** Removes the detector's temporary LanceDB directory. */
  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async ready(): Promise<ScopeDetector> {
    this.detector ??= (async () => new ScopeDetector(await ScopeIndex.open(await connect(this.dir)), this.classifier))();
    const detector = await this.detector;
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await detector.add(batch);
    }
    return detector;
  }
}
