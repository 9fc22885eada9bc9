import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import type { EditOperation as Operation } from '../../editors/edit-operation';
import { decodeOperation, encodeOperation } from '../../editors/operation-codec';
import { EditOperation } from '../../memory/entities/edit-operation.entity';

/** A routed edit the daemon applies to requests in its scope. */
export interface ActiveEdit {
  id: string;
  factId: string | null;
  /** Lower-cased subject strings whose mention puts a request in scope. */
  subjects: string[];
  operation: Operation;
}

/**
 * The RASE edit memory's routing side: every stored routed operation, decoded once and kept in
 * memory, and the scope check that picks the ones a request needs. The scope check here is
 * lexical (the request mentions the edit's subject, on word boundaries, ignoring case); the
 * trained scope detector replaces it (issue 8).
 */
@Injectable()
export class EditMemoryService implements OnApplicationBootstrap {
  private readonly logger = new Logger(EditMemoryService.name);
  private readonly active = new Map<string, ActiveEdit>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.dataSource.getRepository(EditOperation).find({ where: { status: In(['applied', 'verified']), mode: 'routed' }, order: { createdAt: 'ASC' } });
    for (const row of rows) this.activate(row);
    if (rows.length) this.logger.log(`edit memory: ${rows.length} routed edits loaded`);
  }

  get size(): number {
    return this.active.size;
  }

  /** Stores an operation (payload content-addressed by its sha256) inside the caller's transaction. */
  async save(manager: EntityManager, row: { factId: string | null; operation: Operation; subjects: string[]; verification: unknown }): Promise<EditOperation> {
    const payload = encodeOperation(row.operation);
    const text = JSON.stringify(payload);
    return manager.getRepository(EditOperation).save({
      factId: row.factId,
      erasureId: null,
      method: row.operation.method,
      kind: row.operation.kind,
      mode: 'routed',
      layers: row.operation.kind === 'delta' ? row.operation.factors.map((f) => f.layer) : [],
      payloadSha256: createHash('sha256').update(text).digest('hex'),
      payload,
      scopeKeys: row.subjects.map((s) => ({ kind: 'subject', text: s })),
      status: 'verified',
      modelVersionId: null,
      verification: row.verification,
    });
  }

  /** Makes a stored operation visible to routing (after its transaction committed). */
  activate(row: EditOperation): void {
    const subjects = (row.scopeKeys as Array<{ kind?: string; text?: string }>).filter((k) => k.kind === 'subject' && k.text).map((k) => k.text!.toLowerCase());
    this.active.set(row.id, { id: row.id, factId: row.factId, subjects, operation: decodeOperation(row.payload) });
  }

  /** Takes an operation out of routing (rollback, erasure). */
  deactivate(id: string): boolean {
    return this.active.delete(id);
  }

  /** The edits whose subject the text mentions, oldest first. */
  inScope(text: string): ActiveEdit[] {
    const lower = text.toLowerCase();
    return [...this.active.values()].filter((e) => e.subjects.some((s) => mentions(lower, s)));
  }
}

/** `subject` occurs in `text` with no letter or digit right before or after it. */
function mentions(text: string, subject: string): boolean {
  for (let at = text.indexOf(subject); at >= 0; at = text.indexOf(subject, at + 1)) {
    const before = at === 0 ? '' : text[at - 1];
    const after = text[at + subject.length] ?? '';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}
