/** Hugging Face checkpoints: safetensors files, sharded indexes, config.json, expected tensors. */
export { loadCheckpoint, writeCheckpoint } from './checkpoint';
export type { CheckpointDtype, LoadedCheckpoint, WriteCheckpointOptions } from './checkpoint';
export { classifyCheckpointName, expectedTensorShapes } from './expected-tensors';
export { parseHfConfig, SUPPORTED_MODEL_TYPES, toHfConfig } from './hf-config';
export type { ToHfConfigOptions } from './hf-config';
export { parseSafetensors, readSafetensorsFile, readSafetensorsHeader, serializeSafetensors, writeSafetensorsFile } from './safetensors';
export type { RawTensor, SafetensorsContents, SafetensorsHeader, SafetensorsWriteOptions } from './safetensors';
export type { SafetensorsDtype } from './safetensors-dtype';
export { INDEX_FILE, parseByteSize, planShards, readShardIndex, SINGLE_FILE, writeShardedSafetensors } from './sharded';
export type { ShardIndex, ShardPlan } from './sharded';
export { encodeFloat32, fromHostTensor, toFloat32, toHostTensor } from './tensor-data';
