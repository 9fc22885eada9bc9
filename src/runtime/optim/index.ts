/** The optimiser the training and editing code uses: AdamW, gradient clipping, LR schedules. */
export { AdamW, noWeightDecay } from './adamw';
export type { AdamWOptions, AdamWParamState, AdamWState, NamedTensors, ParamOptions } from './adamw';
export { adamWStateFromTensors, adamWStateToTensors, ADAMW_STATE_FORMAT, ADAMW_STATE_VERSION } from './adamw-checkpoint';
export type { AdamWStateHeader } from './adamw-checkpoint';
export { clipGradNorm } from './clip';
export type { GradientSet } from './clip';
export { HyperparameterError } from './errors';
export { constant, warmupConstant, warmupCosine } from './schedule';
export type { LrSchedule, WarmupCosineOptions } from './schedule';
