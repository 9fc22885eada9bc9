import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EditOperation } from '../editors/edit-operation';
import type { CaseResult } from './measure-cases';
import { decodeOperation, encodeOperation } from '../editors/operation-codec';

/** Operations of one compute call: `owners[i]` is the record of the call's request i. */
export interface StoredEdit {
  owners: number[];
  seconds: number;
  operations: EditOperation[];
}

export type StoredResult = CaseResult & { seconds: number; requests: number };

/**
 * A run directory, so that an interrupted run resumes: run.json (what the run is; a rerun must
 * match it), edits.jsonl (operations per compute call), results.jsonl (one line per measured
 * record), and named JSON files (general ability, summary). Lines are appended as work finishes;
 * a torn last line (the process killed mid-write) is ignored.
 */
export class RunStore {
  constructor(readonly dir: string) {}

  /** Creates the directory, or checks that an existing run is the same run. */
  open(config: Record<string, unknown>): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, 'run.json');
    const wanted = JSON.stringify(config);
    if (existsSync(path)) {
      const found = JSON.stringify(JSON.parse(readFileSync(path, 'utf8')));
      if (found !== wanted) throw new Error(`${this.dir} holds a different run (${found}); use another --run-dir or --restart`);
    } else writeFileSync(path, `${wanted}\n`);
  }

  results(): Map<number, StoredResult> {
    return new Map(this.lines<StoredResult>('results.jsonl').map((r) => [r.index, r]));
  }

  appendResults(results: StoredResult[]): void {
    if (results.length) appendLines(join(this.dir, 'results.jsonl'), results.map((r) => JSON.stringify(r)));
  }

  edits(): StoredEdit[] {
    return this.lines<{ owners: number[]; seconds: number; operations: unknown[] }>('edits.jsonl').map((e) => ({ ...e, operations: e.operations.map(decodeOperation) }));
  }

  appendEdit(edit: StoredEdit): void {
    appendLines(join(this.dir, 'edits.jsonl'), [JSON.stringify({ ...edit, operations: edit.operations.map(encodeOperation) })]);
  }

  readJson<T>(name: string): T | undefined {
    const path = join(this.dir, name);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
  }

  writeJson(name: string, value: unknown): void {
    writeFileSync(join(this.dir, name), `${JSON.stringify(value, null, 2)}\n`);
  }

  private lines<T>(name: string): T[] {
    const path = join(this.dir, name);
    if (!existsSync(path)) return [];
    const out: T[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // A torn line from an interrupted append: that record is simply redone.
      }
    }
    return out;
  }
}

/** Appends whole lines, first ending a torn last line so that the new ones parse. */
function appendLines(path: string, lines: string[]): void {
  const torn = existsSync(path) && statSync(path).size > 0 && lastByte(path) !== 0x0a;
  appendFileSync(path, `${torn ? '\n' : ''}${lines.map((l) => `${l}\n`).join('')}`);
}

function lastByte(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, statSync(path).size - 1);
    return byte[0];
  } finally {
    closeSync(fd);
  }
}
