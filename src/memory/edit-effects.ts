/**
 * What routed edit operations feed the model, shared by the daemon (inference, a fact's
 * verification) and the harness, so both apply an operation the same way.
 */
import type { EditDeltas, PromptEndReplacement } from '../models/language-model';
import type { HostTensor } from '../runtime/graph/dtype';
import type { MemoryRecord } from '../editors/edit-method';
import { isKeyed, type DeltaOperation, type EditOperation, type KeyedOperation } from '../editors/edit-operation';
import { cosineDistance } from '../editors/keys/hidden-keys';
import { nearestWithinRadius } from './vector/hidden-key-scan';

/** What a set of operations gives a prompt, by kind, each list in the operations' order. */
export interface EditView {
  /** Context texts, oldest first, stated before the prompt. */
  contexts: string[];
  /** Routed low-rank deltas. */
  deltas: DeltaOperation[];
  /** Records the method's reader retrieves from (MeLLo, PokeMQA). */
  memory: MemoryRecord[];
  /** Keyed operations (MELO blocks, GRACE entries): the prompt's own hidden-state key selects one of them, or none. */
  keyed: KeyedOperation[];
}

/** The view a set of operations gives (in order): contexts, deltas, memory records, keyed operations. */
export function viewOf(operations: readonly EditOperation[]): EditView {
  const view: EditView = { contexts: [], deltas: [], memory: [], keyed: [] };
  for (const op of operations) {
    if (isKeyed(op)) view.keyed.push(op);
    else if (op.kind === 'context' && op.memory) view.memory.push({ text: op.text, ...op.memory });
    else if (op.kind === 'context') view.contexts.push(op.text);
    else if (op.kind === 'delta') view.deltas.push(op);
  }
  return view;
}

/**
 * The keyed operation a key selects: the nearest centre within its own radius, the later one on a
 * tie (a newer edit of the same prompt wins), or none.
 */
export function nearestKeyed<K extends KeyedOperation>(operations: readonly K[], keyFor: (op: K) => Float32Array): K | undefined {
  const best = nearestWithinRadius(operations.length, (i) => cosineDistance(keyFor(operations[i]), operations[i].key.center.data as Float32Array), (i) => operations[i].key.radius);
  return best && operations[best.index];
}

/** What selected keyed operations feed the model: MELO blocks' deltas and GRACE entries' replacement states. */
export function keyedEffects(selected: readonly KeyedOperation[]): { deltas: DeltaOperation[]; replacements: PromptEndReplacement[] } {
  const deltas: DeltaOperation[] = [];
  const replacements: PromptEndReplacement[] = [];
  for (const op of selected) {
    if (op.kind === 'delta') deltas.push(op);
    else replacements.push({ layer: op.key.tap.layer, value: op.value.data as Float32Array });
  }
  return { deltas, replacements };
}

/** Several routed deltas as one per-sequence EditDeltas: factors of a layer are stacked along the rank. */
export function combineDeltas(operations: readonly DeltaOperation[]): EditDeltas {
  const byLayer = new Map<number, Array<{ u: HostTensor; v: HostTensor }>>();
  for (const op of operations) for (const f of op.factors) byLayer.set(f.layer, [...(byLayer.get(f.layer) ?? []), f]);
  const out: EditDeltas = new Map();
  for (const [layer, factors] of byLayer) out.set(layer, factors.length === 1 ? factors[0] : { u: stackColumns(factors.map((f) => f.u)), v: stackColumns(factors.map((f) => f.v)) });
  return out;
}

function stackColumns(tensors: HostTensor[]): HostTensor {
  const rows = tensors[0].shape[0];
  const rank = tensors.reduce((sum, t) => sum + t.shape[1], 0);
  const data = new Float32Array(rows * rank);
  let offset = 0;
  for (const t of tensors) {
    const r = t.shape[1];
    for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) data[i * rank + offset + c] = (t.data as Float32Array)[i * r + c];
    offset += r;
  }
  return { dtype: 'float32', shape: [rows, rank], data };
}
