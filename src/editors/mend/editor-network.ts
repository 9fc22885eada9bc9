import { mulberry32 } from '../../runtime/random';

/** The shape of one layer's editor network. */
export interface EditorShape {
  /** Width of the projection's input x (the MLP key, d_ff). */
  dIn: number;
  /** Width of its output gradient δ (d_model). */
  dOut: number;
  /** Hidden width of each low-rank residual block. */
  hidden: number;
  blocks: number;
}

/** A layer's editor parameters by name: `block{k}.V` [hidden, D], `block{k}.b` [hidden], `block{k}.U` [D, hidden], `logLr` [1]; and the fixed input statistics `mean`, `std` [D]. */
export type EditorParams = Map<string, Float32Array>;

/** What the backward pass needs of a forward pass (per token, row-major [n, D]). */
export interface EditorCache {
  n: number;
  /** The input of each block (z₀ = the standardised [x; δ]), and each block's pre-activation. */
  inputs: Float64Array[];
  pre: Float64Array[];
}

const D = (s: EditorShape) => s.dIn + s.dOut;

/**
 * A layer's editor network at initialisation: the identity. Each block is z ← z + U·relu(V·z + b)
 * with V random (scaled 1/√D), b zero and U zero, so the network starts as the identity map and
 * the first gradient reaches U at once (then V through it). The inputs are standardised with
 * fixed per-feature statistics (`mean`, `std`) measured on training edits; `logLr` is the
 * layer's learned step size η = exp(logLr) (the paper's per-layer learning rate).
 */
export function initEditor(shape: EditorShape, seed: number, logLr: number): EditorParams {
  const random = mulberry32(seed);
  const d = D(shape);
  const params: EditorParams = new Map();
  for (let k = 0; k < shape.blocks; k++) {
    const scale = Math.sqrt(3 / d); // uniform with variance 1/D
    params.set(`block${k}.V`, Float32Array.from({ length: shape.hidden * d }, () => (2 * random() - 1) * scale));
    params.set(`block${k}.b`, new Float32Array(shape.hidden));
    params.set(`block${k}.U`, new Float32Array(d * shape.hidden));
  }
  params.set('logLr', Float32Array.of(logLr));
  params.set('mean', new Float32Array(d));
  params.set('std', new Float32Array(d).fill(1));
  return params;
}

/** The trained parameters' names (not the fixed statistics). */
export function trainableNames(shape: EditorShape): string[] {
  return [...Array.from({ length: shape.blocks }, (_, k) => [`block${k}.V`, `block${k}.b`, `block${k}.U`]).flat(), 'logLr'];
}

/**
 * g([x; δ]) for n tokens: x [n, dIn] and δ [n, dOut] row-major in, (x̃, δ̃) out, with what the
 * backward pass needs. The outputs live in the standardised space, as in the paper's editor.
 */
export function editorForward(shape: EditorShape, params: EditorParams, x: Float32Array, delta: Float32Array, n: number): { xt: Float32Array; dt: Float32Array; cache: EditorCache } {
  const d = D(shape);
  const { dIn, dOut, hidden } = shape;
  const mean = params.get('mean')!;
  const std = params.get('std')!;
  let z = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < dIn; i++) z[t * d + i] = (x[t * dIn + i] - mean[i]) / std[i];
    for (let j = 0; j < dOut; j++) z[t * d + dIn + j] = (delta[t * dOut + j] - mean[dIn + j]) / std[dIn + j];
  }
  const inputs: Float64Array[] = [];
  const pre: Float64Array[] = [];
  for (let k = 0; k < shape.blocks; k++) {
    const V = params.get(`block${k}.V`)!;
    const b = params.get(`block${k}.b`)!;
    const U = params.get(`block${k}.U`)!;
    inputs.push(z);
    const a = new Float64Array(n * hidden);
    const next = z.slice();
    for (let t = 0; t < n; t++) {
      const zt = t * d;
      for (let h = 0; h < hidden; h++) {
        let s = b[h];
        const vh = h * d;
        for (let i = 0; i < d; i++) s += V[vh + i] * z[zt + i];
        a[t * hidden + h] = s;
      }
      for (let i = 0; i < d; i++) {
        let s = 0;
        const ui = i * hidden;
        for (let h = 0; h < hidden; h++) {
          const act = a[t * hidden + h];
          if (act > 0) s += U[ui + h] * act;
        }
        next[zt + i] += s;
      }
    }
    pre.push(a);
    z = next;
  }
  const xt = new Float32Array(n * dIn);
  const dt = new Float32Array(n * dOut);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < dIn; i++) xt[t * dIn + i] = z[t * d + i];
    for (let j = 0; j < dOut; j++) dt[t * dOut + j] = z[t * d + dIn + j];
  }
  return { xt, dt, cache: { n, inputs, pre } };
}

/**
 * The backward pass of `editorForward`: given ∂L/∂x̃ [n, dIn] and ∂L/∂δ̃ [n, dOut], adds the
 * gradients of the block parameters into `grads` (allocated on first use) and returns ∂L/∂z₀ (the
 * gradient with respect to the standardised input, for gradient checks).
 */
export function editorBackward(shape: EditorShape, params: EditorParams, cache: EditorCache, gxt: Float32Array, gdt: Float32Array, grads: Map<string, Float32Array>): Float64Array {
  const d = D(shape);
  const { dIn, dOut, hidden } = shape;
  const { n } = cache;
  const gz = new Float64Array(n * d);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < dIn; i++) gz[t * d + i] = gxt[t * dIn + i];
    for (let j = 0; j < dOut; j++) gz[t * d + dIn + j] = gdt[t * dOut + j];
  }
  const slot = (name: string, length: number) => {
    let g = grads.get(name);
    if (!g) grads.set(name, (g = new Float32Array(length)));
    return g;
  };
  for (let k = shape.blocks - 1; k >= 0; k--) {
    const V = params.get(`block${k}.V`)!;
    const U = params.get(`block${k}.U`)!;
    const gV = slot(`block${k}.V`, V.length);
    const gb = slot(`block${k}.b`, hidden);
    const gU = slot(`block${k}.U`, U.length);
    const z = cache.inputs[k];
    const a = cache.pre[k];
    const ga = new Float64Array(hidden);
    for (let t = 0; t < n; t++) {
      const zt = t * d;
      // z_out = z + U·relu(a): ∂U += gz ⊗ relu(a); ∂relu(a) = Uᵀ·gz, masked by a > 0.
      for (let h = 0; h < hidden; h++) {
        const act = a[t * hidden + h];
        if (act <= 0) {
          ga[h] = 0;
          continue;
        }
        let s = 0;
        for (let i = 0; i < d; i++) {
          const g = gz[zt + i];
          gU[i * hidden + h] += g * act;
          s += U[i * hidden + h] * g;
        }
        ga[h] = s;
      }
      // a = V·z + b: ∂V += ga ⊗ z, ∂b += ga, and gz (the residual path) gains Vᵀ·ga.
      for (let h = 0; h < hidden; h++) {
        const g = ga[h];
        if (g === 0) continue;
        gb[h] += g;
        const vh = h * d;
        for (let i = 0; i < d; i++) {
          gV[vh + i] += g * z[zt + i];
          gz[zt + i] += V[vh + i] * g;
        }
      }
    }
  }
  return gz;
}

/**
 * The edit from the editor's outputs, as the model's delta hook h += (k·V)·Uᵀ takes it:
 * ΔW = −η·Σ_t x̃_t δ̃_tᵀ (conv1d orientation [d_ff, d_model]) is V = x̃ᵀ [dIn, n] and
 * U = −η·δ̃ᵀ [dOut, n]: rank n at most, one column per token.
 */
export function deltaFactors(shape: EditorShape, xt: Float32Array, dt: Float32Array, n: number, lr: number): { v: Float32Array; u: Float32Array } {
  const { dIn, dOut } = shape;
  const v = new Float32Array(dIn * n);
  const u = new Float32Array(dOut * n);
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < dIn; i++) v[i * n + t] = xt[t * dIn + i];
    for (let j = 0; j < dOut; j++) u[j * n + t] = -lr * dt[t * dOut + j];
  }
  return { v, u };
}
