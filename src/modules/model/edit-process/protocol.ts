import type { DeltaOperation, EditOperation } from '../../../editors/edit-operation';
import type { EditRequest } from '../../../editors/edit-request';

/** What the edit process is started with: the served checkpoint and the editors' resources. */
export interface EditProcessInit {
  type: 'init';
  modelDir: string;
  /** onnxruntime intra-op threads for edit computation (KED_EDIT_THREADS). */
  threads: number;
  statsCorpus?: string;
  statsCacheDir: string;
  /** KED_HPARAMS_DIR: the methods' hyper-parameter files (none: their defaults). */
  hparamsDir?: string;
  /** Deltas merged into the served weights, in order: the editing copy starts as the served model. */
  merged: Array<{ operation: DeltaOperation; sign: 1 | -1 }>;
}

/** One edit computation: the method's `compute` on the editing copy. */
export interface ComputeMessage {
  type: 'compute';
  id: number;
  method: string;
  requests: EditRequest[];
  /**
   * Whether the method computes against the state its accounted edits make (AlphaEdit's
   * preserved keys of the live edits): the worker's edits do, erasures' not.
   */
  stateful: boolean;
}

/** Brings a method's state to the live edits: `reset` drops what was accounted, then `add` enters. */
export interface AccountMessage {
  type: 'account';
  id: number;
  method: string;
  reset: boolean;
  add: EditOperation[];
}

/** A commit (1) or rollback (−1) of a delta in the served weights, done to the editing copy too. */
export interface MergeMessage {
  type: 'merge';
  id: number;
  operation: DeltaOperation;
  sign: 1 | -1;
}

export type ParentMessage = EditProcessInit | ComputeMessage | MergeMessage | AccountMessage;

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'init-failed'; error: string }
  | { type: 'done'; id: number; operations?: EditOperation[] }
  | { type: 'error'; id: number; error: string };
