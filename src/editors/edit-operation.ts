import type { TapRequest } from '../models/graph/forward-options';
import type { HostTensor } from '../runtime/graph/dtype';

/**
 * The unit an editor produces (ARCHITECTURE.md "The edit operation"), reduced to what the harness
 * needs: the payload by kind, and which of the requests passed to `compute` it serves (its scope,
 * for routed application). Storage fields (ids, status, scope keys) belong to the edit memory.
 */
interface OperationBase {
  method: string;
  /** Indices into the `requests` of the compute call that produced it. */
  requests: number[];
}

/** Retrieval-memory edits (ICE, IKE, MeLLo, ...): text put before the prompt, or a memory record. */
export interface ContextOperation extends OperationBase {
  kind: 'context';
  text: string;
  /**
   * Set for a retrieval-memory record that the method's own decoding reads (MeLLo, PokeMQA
   * retrieve it per subquestion); such a record is never put before the prompt.
   */
  memory?: {
    subject: string;
    object?: string;
    /**
     * Routed like an edit (SERAC): a request sees the record only when the scope detector puts it
     * in the record's scope, instead of whenever it names a record's subject (MeLLo, PokeMQA).
     */
    scoped?: boolean;
  };
  /**
   * A placeholder in `text` that routing fills with the request's own mention of the edit's
   * subject: an erasure's suppression stores its subject only as a digest, never by name.
   */
  subjectSlot?: string;
}

/** Low-rank MLP deltas h += (k·V)·Uᵀ per layer: u [d_model, r], v [d_ff, r] (ROME, MEMIT, FT). */
export interface DeltaOperation extends OperationBase {
  kind: 'delta';
  factors: Array<{ layer: number; u: HostTensor; v: HostTensor }>;
  /**
   * Set when the delta selects itself by the request's hidden state (MELO): it applies to a
   * request whose key lies within `radius` (cosine distance) of `center`, the nearest such block
   * only, whatever routing says.
   */
  key?: HiddenKey;
  /**
   * AlphaEdit: the edited subjects' keys at each edited layer with the update in place
   * ([d_ff, requests]), which later edits must preserve (see EditMethod.account).
   */
  preserved?: Array<{ layer: number; keys: HostTensor }>;
}

/** Where a request's key is read and the block it selects (MELO's vector-database entry). */
export interface HiddenKey {
  tap: TapRequest;
  /** The prompt's last token, or the mean over its tokens. */
  position: 'last' | 'mean';
  /** Unit-length centre of the block's edit keys. */
  center: HostTensor;
  radius: number;
}

/**
 * A GRACE codebook entry (Hartvigsen et al. 2023): a request whose key (the residual stream after
 * `key.tap.layer` at the prompt's last token) lies within `key.radius` of `key.center`, the
 * nearest such entry only, gets that state replaced by `value`. Never merged into weights.
 */
export interface CodebookOperation extends OperationBase {
  kind: 'codebook';
  /** [d_model] state that replaces the residual stream at the prompt's last token. */
  value: HostTensor;
  /** The answer the value was trained for (GRACE's label): entries with one label merge, others split. */
  label: string;
  key: HiddenKey;
}

/** An operation a request's hidden-state key selects (MELO blocks, GRACE entries), never its text. */
export type KeyedOperation = (DeltaOperation & { key: HiddenKey }) | CodebookOperation;

export const isKeyed = (op: EditOperation): op is KeyedOperation => op.kind === 'codebook' || (op.kind === 'delta' && op.key !== undefined);

/** What an editor returns. LoRA and MELO train MLP factors and return them as deltas. */
export type EditOperation = ContextOperation | DeltaOperation | CodebookOperation;
