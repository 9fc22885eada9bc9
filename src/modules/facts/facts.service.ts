import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { EditOperationRow } from '../../memory/entities/edit-operation.entity';
import { Fact } from '../../memory/entities/fact.entity';
import type { FactInput } from './fact-input';
import { erasedKey } from './fact-key';
import { factIdentity } from './stream-identity';

export interface IngestResult {
  /** One id per fact, in request order; a repeated key gets the id of the fact first sent with it. */
  ids: string[];
  /** How many facts were already known by their key (not stored again). */
  duplicates: number;
}

/** The facts' system of record: stores them durably before anyone is told they were accepted. */
@Injectable()
export class FactsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores facts in one transaction (all or none), numbered in array order (the order the worker
   * applies them in). Facts whose key is already known are skipped
   * (ON CONFLICT DO NOTHING on the unique key) and answered with the stored fact's id.
   */
  async ingest(facts: readonly FactInput[], modelId = 'default'): Promise<IngestResult> {
    return this.dataSource.transaction(async (manager) => {
      // Keys of erased facts are stored hashed: a resend of one is a duplicate too, never a new fact.
      const incoming = [...new Set(facts.flatMap((f) => (f.key === undefined ? [] : [f.key])))];
      const erased = new Map<string, string>();
      if (incoming.length) {
        const byHash = new Map(incoming.map((k) => [erasedKey(k), k]));
        for (const f of await manager.find(Fact, { select: { id: true, key: true }, where: { key: In([...byHash.keys()]) } })) erased.set(byHash.get(f.key!)!, f.id);
      }
      const fresh = facts.filter((f) => f.key === undefined || !erased.has(f.key));
      // `seq` is the column's default: a multi-row INSERT evaluates it row by row, in array order,
      // and the chunks below run in order, so the numbers follow the request (the worker's order).
      const rows = fresh.map((f) => ({
        id: randomUUID(),
        identity: factIdentity(f),
        key: f.key ?? null,
        modelId,
        subject: f.subject,
        prompt: f.prompt,
        targetNew: f.target_new,
        groundTruth: f.ground_truth ?? null,
        relation: f.relation ?? null,
        record: f as Record<string, unknown>,
      }));
      const inserted = new Set<string>();
      // Chunks keep each statement's parameter count under PostgreSQL's 65,535.
      for (let start = 0; start < rows.length; start += 1000) {
        const result = await manager.createQueryBuilder().insert().into(Fact).values(rows.slice(start, start + 1000) as QueryDeepPartialEntity<Fact>[]).orIgnore().returning(['id']).updateEntity(false).execute();
        for (const row of result.raw as Array<{ id: string }>) inserted.add(row.id);
      }
      const keys = [...new Set(rows.filter((r) => r.key !== null && !inserted.has(r.id)).map((r) => r.key!))];
      const known = new Map<string, string>();
      if (keys.length) for (const f of await manager.find(Fact, { select: { id: true, key: true }, where: { key: In(keys) } })) known.set(f.key!, f.id);
      const stored = new Map(rows.map((r, i) => [fresh[i], inserted.has(r.id) ? r.id : known.get(r.key!)!]));
      const ids = facts.map((f) => stored.get(f) ?? erased.get(f.key!)!);
      return { ids, duplicates: facts.length - inserted.size };
    });
  }

  /** The fact, its edit operations, and the older facts of its identity it superseded (oldest first). */
  async find(id: string): Promise<{ fact: Fact; operations: EditOperationRow[]; supersedes: string[] } | undefined> {
    const fact = await this.dataSource.getRepository(Fact).findOneBy({ id });
    if (!fact) return undefined;
    const operations = await this.dataSource.getRepository(EditOperationRow).find({ where: { factId: id }, order: { createdAt: 'ASC' } });
    const older = await this.dataSource.getRepository(Fact).find({ select: { id: true }, where: { supersededBy: id }, order: { seq: 'ASC' } });
    return { fact, operations, supersedes: older.map((f) => f.id) };
  }
}
