/**
 * AdamW state ⇄ safetensors-friendly form: one flat float32 tensor per moment buffer plus a
 * small JSON header for what is not a tensor (step counts, order). Store the header as a JSON
 * string under the file's `__metadata__` (safetensors metadata values must be strings).
 */
import type { AdamWParamState, AdamWState } from './adamw';

export const ADAMW_STATE_FORMAT = 'ked.adamw';
export const ADAMW_STATE_VERSION = 1;

export interface AdamWStateHeader {
  readonly format: typeof ADAMW_STATE_FORMAT;
  readonly version: typeof ADAMW_STATE_VERSION;
  /** Number of `step()` calls made. */
  readonly step: number;
  /** Per parameter, in optimiser order: its own step count and buffer length. */
  readonly params: readonly { readonly name: string; readonly step: number; readonly length: number }[];
}

/**
 * Tensor names: a fixed prefix then the parameter name, so they cannot collide with each other
 * (distinct prefixes, name verbatim) nor, in practice, with model weights in the same file.
 */
export const expAvgKey = (name: string): string => `adamw/exp_avg/${name}`;
export const expAvgSqKey = (name: string): string => `adamw/exp_avg_sq/${name}`;

/** Splits a state into tensors and header. The tensors share memory with `state`. */
export function adamWStateToTensors(state: AdamWState): {
  tensors: Record<string, Float32Array>;
  header: AdamWStateHeader;
} {
  const tensors: Record<string, Float32Array> = {};
  const params: { name: string; step: number; length: number }[] = [];
  for (const [name, p] of state.params) {
    tensors[expAvgKey(name)] = p.expAvg;
    tensors[expAvgSqKey(name)] = p.expAvgSq;
    params.push({ name, step: p.step, length: p.expAvg.length });
  }
  return { tensors, header: { format: ADAMW_STATE_FORMAT, version: ADAMW_STATE_VERSION, step: state.step, params } };
}

/**
 * Rebuilds a state from tensors and a header, e.g. read back from a file. The header is
 * checked field by field because it comes from disk; the tensors are used as they are (no copy,
 * `AdamW.loadState` copies).
 */
export function adamWStateFromTensors(tensors: Readonly<Record<string, Float32Array>>, header: unknown): AdamWState {
  const h = parseHeader(header);
  const params = new Map<string, AdamWParamState>();
  for (const { name, step, length } of h.params) {
    if (params.has(name)) throw new Error(`AdamW state header lists ${name} twice`);
    const expAvg = tensorOf(tensors, expAvgKey(name), length);
    const expAvgSq = tensorOf(tensors, expAvgSqKey(name), length);
    params.set(name, { step, expAvg, expAvgSq });
  }
  return { step: h.step, params };
}

function tensorOf(tensors: Readonly<Record<string, Float32Array>>, key: string, length: number): Float32Array {
  const t = Object.prototype.hasOwnProperty.call(tensors, key) ? tensors[key] : undefined;
  if (!(t instanceof Float32Array)) throw new Error(`AdamW state is missing float32 tensor ${key}`);
  if (t.length !== length) throw new Error(`AdamW state tensor ${key} has length ${t.length}, header says ${length}`);
  return t;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function parseHeader(header: unknown): AdamWStateHeader {
  const h = (typeof header === 'string' ? JSON.parse(header) : header) as Partial<AdamWStateHeader> | null;
  if (h === null || typeof h !== 'object') throw new Error('AdamW state header must be an object');
  if (h.format !== ADAMW_STATE_FORMAT || h.version !== ADAMW_STATE_VERSION) {
    throw new Error(`AdamW state header must be ${ADAMW_STATE_FORMAT} version ${ADAMW_STATE_VERSION}`);
  }
  if (!isCount(h.step)) throw new Error('AdamW state header step must be an integer >= 0');
  if (!Array.isArray(h.params)) throw new Error('AdamW state header params must be an array');
  for (const p of h.params as unknown[]) {
    const e = p as { name?: unknown; step?: unknown; length?: unknown } | null;
    if (e === null || typeof e !== 'object' || typeof e.name !== 'string' || !isCount(e.step) || !isCount(e.length)) {
      throw new Error('AdamW state header params entries must be {name: string, step: int >= 0, length: int >= 0}');
    }
  }
  return h as AdamWStateHeader;
}
