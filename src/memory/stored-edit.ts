import { decodeOperation } from '../editors/operation-codec';
import type { MemoryEdit } from './edit-memory';
import type { EditOperationRow } from './entities/edit-operation.entity';
import type { ScopedEdit } from './scope/scope-detector';

/** What an edit is about, as the scope detector reads it; stored as the row's `scope_keys`. */
export interface EditScopeKeys {
  subjects: string[];
  /** Other names of the subject (the fact's `subject_aliases`, the knowledge base's): they name the person too, so erasure scrubs them with the rest. */
  aliases?: string[];
  /** The edit as a statement: the fact's prompt followed by its new target. */
  statement: string;
  /** The fact's new target, which ends the statement (the scope detector learns relations' wordings from them). */
  object?: string;
  /** "subject": in scope of any request naming the subject (suppression edits). */
  match?: 'relation' | 'subject';
}

/**
 * A fact's scope: its subject and the subject's other names, and its prompt followed by its new
 * target as the statement. Without a subject (a harness record may lack one) the statement's
 * entity spans stand in.
 */
export function factScope(subject: string | undefined, prompt: string, target: string, aliases: readonly string[] = []): EditScopeKeys {
  const others = subject ? [...new Set(aliases)].filter((a) => a.trim() && a.toLowerCase() !== subject.toLowerCase()) : [];
  return { subjects: subject ? [subject] : [], ...(others.length ? { aliases: others } : {}), statement: `${prompt} ${target}`, object: target };
}

interface StoredKey {
  kind?: string;
  text?: string;
}

/** The row's `scope_keys` for a scope: one key per subject and alias, the statement, the match kind and the object. */
export function scopeKeysOf(scope: EditScopeKeys): StoredKey[] {
  return [
    ...scope.subjects.map((s) => ({ kind: 'subject', text: s })),
    ...(scope.aliases ?? []).map((a) => ({ kind: 'alias', text: a })),
    { kind: 'statement', text: scope.statement },
    { kind: 'match', text: scope.match ?? 'relation' },
    ...(scope.object ? [{ kind: 'object', text: scope.object }] : []),
  ];
}

/** A stored row as the memory routes it. */
export function memoryEditOf(row: EditOperationRow): MemoryEdit {
  return { id: row.id, factId: row.factId, erasureId: row.erasureId, subjects: subjectsOf(row), operation: decodeOperation(row.payload), payloadSha256: row.payloadSha256 };
}

/** A stored row's scope as the detector indexes it. */
export function scopedEditOf(row: Pick<EditOperationRow, 'id' | 'scopeKeys'>): ScopedEdit {
  const keys = row.scopeKeys as StoredKey[];
  const subjects = subjectsOf(row);
  // Rows stored before statements were kept scope on their subject alone.
  const statement = keys.find((k) => k.kind === 'statement')?.text ?? subjects.join(' ');
  const match = keys.find((k) => k.kind === 'match')?.text === 'subject' ? 'subject' : 'relation';
  const object = keys.find((k) => k.kind === 'object')?.text;
  const aliases = keys.filter((k) => k.kind === 'alias' && k.text).map((k) => k.text!);
  return { id: row.id, text: statement, subjects, match, object, ...(aliases.length ? { aliases } : {}) };
}

function subjectsOf(row: Pick<EditOperationRow, 'scopeKeys'>): string[] {
  return (row.scopeKeys as StoredKey[]).filter((k) => k.kind === 'subject' && k.text).map((k) => k.text!);
}
