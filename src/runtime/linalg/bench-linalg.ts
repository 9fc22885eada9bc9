/**
 * Timings of the linear algebra at the sizes editors meet (d = hidden or MLP width), for
 * `ked bench linalg --json`. Inputs are seeded and cheap to build; see random-matrix.ts.
 */
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  LuDecomposition,
  Matrix,
  SingularValueDecomposition,
} from 'ml-matrix';
import { cholesky } from './cholesky';
import type { DenseMatrix } from './dense-matrix';
import { nullSpaceProjector } from './null-space-projector';
import { randomMatrix, randomSpd, randomSymmetric } from './random-matrix';
import { solve } from './solve';
import { solveSpd } from './solve-spd';
import { svd } from './svd';
import { symmetricEigen } from './symmetric-eigen';

export const LINALG_BENCH_OPS = ['cholesky', 'solve_spd', 'solve', 'symmetric_eigen', 'svd', 'null_space_projector'] as const;
export type LinalgBenchOp = (typeof LINALG_BENCH_OPS)[number];

/** Right-hand-side columns for the solves (a batch of edits). */
export const BENCH_RHS_COLS = 32;

export interface BenchLinalgOptions {
  /** Operations to time (default: all). */
  ops?: readonly LinalgBenchOp[];
  /**
   * Also time ml-matrix's decomposition for the same op (keys `mlmatrix_<op>_<d>_ms`), for
   * sizes up to this d. Off by default: at d = 2048 its eigen/SVD take minutes.
   */
  mlMatrixUpTo?: number;
}

/**
 * Milliseconds per op per size, keys `<op>_<d>_ms` (e.g. `cholesky_1024_ms`). Small sizes are
 * run a few times and the fastest run kept (the first calls also warm up the JIT); large sizes
 * once. The event loop gets a turn between runs.
 */
export async function benchLinalg(sizes: number[], options: BenchLinalgOptions = {}): Promise<Record<string, number>> {
  const ops = options.ops ?? LINALG_BENCH_OPS;
  const result: Record<string, number> = {};
  for (const d of sizes) {
    if (!Number.isSafeInteger(d) || d < 1) throw new RangeError(`benchLinalg: size must be a positive integer, got ${d}`);
    const runs = d <= 256 ? 5 : d <= 1024 ? 2 : 1;
    for (const op of ops) {
      const run = prepare(op, d);
      result[`${op}_${d}_ms`] = await fastest(run, runs);
      if (options.mlMatrixUpTo !== undefined && d <= options.mlMatrixUpTo) {
        const reference = prepareMlMatrix(op, d);
        if (reference) result[`mlmatrix_${op}_${d}_ms`] = await fastest(reference, runs);
      }
    }
  }
  return result;
}

/** Builds the op's input outside the timed region and returns the timed call. */
function prepare(op: LinalgBenchOp, d: number): () => unknown {
  switch (op) {
    case 'cholesky': {
      const a = randomSpd(d, 1);
      return () => cholesky(a);
    }
    case 'solve_spd': {
      const a = randomSpd(d, 1);
      const b = randomMatrix(d, BENCH_RHS_COLS, 2);
      return () => solveSpd(a, b);
    }
    case 'solve': {
      const a = randomMatrix(d, d, 3);
      const b = randomMatrix(d, BENCH_RHS_COLS, 2);
      return () => solve(a, b);
    }
    case 'symmetric_eigen': {
      const a = randomSymmetric(d, 4);
      return () => symmetricEigen(a);
    }
    case 'svd': {
      const a = randomMatrix(d, d, 5);
      return () => svd(a);
    }
    case 'null_space_projector': {
      // Eigenvalues of a random symmetric matrix straddle 0, so threshold 0 keeps about half:
      // the most expensive projector to assemble.
      const c = randomSymmetric(d, 6);
      return () => nullSpaceProjector(c, 0);
    }
  }
}

function prepareMlMatrix(op: LinalgBenchOp, d: number): (() => unknown) | undefined {
  const ml = (m: DenseMatrix): Matrix => Matrix.from1DArray(m.rows, m.cols, m.data);
  switch (op) {
    case 'cholesky': {
      const a = ml(randomSpd(d, 1));
      return () => new CholeskyDecomposition(a);
    }
    case 'solve_spd': {
      const a = ml(randomSpd(d, 1));
      const b = ml(randomMatrix(d, BENCH_RHS_COLS, 2));
      return () => new CholeskyDecomposition(a).solve(b);
    }
    case 'solve': {
      const a = ml(randomMatrix(d, d, 3));
      const b = ml(randomMatrix(d, BENCH_RHS_COLS, 2));
      return () => new LuDecomposition(a).solve(b);
    }
    case 'symmetric_eigen': {
      const a = ml(randomSymmetric(d, 4));
      return () => new EigenvalueDecomposition(a, { assumeSymmetric: true });
    }
    case 'svd': {
      const a = ml(randomMatrix(d, d, 5));
      return () => new SingularValueDecomposition(a);
    }
    case 'null_space_projector':
      return undefined; // no ml-matrix counterpart
  }
}

async function fastest(run: () => unknown, runs: number): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    await new Promise((resolve) => setImmediate(resolve));
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return Math.round(best * 10) / 10;
}
