import { availableParallelism } from 'node:os';

/**
 * Intra-op threads when none are asked for: every core the process may use. onnxruntime's own
 * default ran on one of this machine's two cores, which made training ~40% slower. (A file of its
 * own so that reading the configuration does not load onnxruntime.)
 */
export const defaultThreads = (): number => availableParallelism();
