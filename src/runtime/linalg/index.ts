/**
 * The linear algebra the knowledge editors need (ROME, MEMIT, AlphaEdit), on row-major float64
 * DenseMatrix values.
 */
export { cloneMatrix, fromRows, identity, matmul, maxAbs, maxAbsDiff, toRows, transpose, zeros } from './dense-matrix';
export type { DenseMatrix } from './dense-matrix';
export { cholesky } from './cholesky';
export { solveCholesky, solveSpd } from './solve-spd';
export { lu } from './lu';
export type { LuFactors } from './lu';
export { solve } from './solve';
export { symmetricEigen } from './symmetric-eigen';
export type { SymmetricEigen } from './symmetric-eigen';
export { svd } from './svd';
export type { Svd } from './svd';
export { nullSpaceProjector } from './null-space-projector';
export type { NullSpaceProjector } from './null-space-projector';
export { ConvergenceError, MatrixShapeError, NotPositiveDefiniteError, SingularMatrixError } from './errors';
// benchLinalg lives in ./bench-linalg (imported by the CLI only; it pulls in ml-matrix for reference timings).
