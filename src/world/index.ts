/** The generated knowledge world: model, corpus, KnowEdit datasets and probe sets. */
export type { Chain, Entity, EntityType, Fact, Relation, RelationKind, SlotType, Template, TemplateForm, TemplateSplit, World, WorldOptions } from './types';
export { DEFAULT_WORLD_OPTIONS, generateWorld, serialiseWorld } from './generate-world';
export { WorldIndex, factKey, type FactOverlay } from './world-index';
export { buildCorpus, corpusStats, corpusToJsonl, DEFAULT_CORPUS_OPTIONS, type CorpusExample, type CorpusKind, type CorpusOptions, type CorpusStats } from './corpus/build-corpus';
export { buildDatasets, DEFAULT_DATASET_SIZES, writeDatasets, type DatasetName, type DatasetSizes } from './datasets/write-datasets';
export type { FactEditRecord, GroundTruth, MquakeCase, MquakeRewrite, ProbeRecord, SanitationRecord, SanitationSplit } from './datasets/records';
export { mquakeQuestionPrompt } from './datasets/mquake';
export { factProbes, heldOutTemplateProbes, iclCopyProbes, melloFormatProbes, refusalProbes, twoHopProbes, type Probe, type ProbeOptions } from './probes';
export { buildMelloTrace, melloLines, type MelloTrace, type Retrieval } from './mello';
export { REFUSAL, erasureRequest } from './corpus/erasure-lines';
export { AUDIT_PROBE_COUNT, servingFiles } from './serving-files';
export { writeWorldFiles, type WorldFilesRequest, type WorldFilesSummary } from './write-world';
