import type { EditContext, EditMethod } from '../editors/edit-method';
import type { EditRequest } from '../editors/edit-request';

export interface EditBenchResult {
  method: string;
  model: string;
  edits: number;
  /** Wall time of one compute call per edit, after the one-time statistics (covariances, templates). */
  secondsPerEdit: number;
  /** The first call, which also computes the per-model statistics (cached afterwards). */
  firstEditSeconds: number;
  /** Peak resident set size of the process (ru_maxrss). */
  peakRssMb: number;
}

/**
 * `ked bench edit`: times a method's compute over requests one call each. The first call pays for
 * the per-model statistics a locate-and-edit method caches (ROME's C, AlphaEdit's projector) and
 * is reported apart.
 */
export async function benchEdit(context: EditContext, method: EditMethod, hparams: unknown, requests: readonly EditRequest[], modelName: string, onEdit?: (done: number) => void): Promise<EditBenchResult> {
  if (requests.length < 2) throw new Error('ked bench edit needs at least 2 requests (the first one warms the statistics)');
  const times: number[] = [];
  const state = new Map<string, unknown>();
  for (const [i, request] of requests.entries()) {
    const started = performance.now();
    await method.compute({ ...context, methodState: state }, [request], hparams);
    times.push((performance.now() - started) / 1000);
    onEdit?.(i + 1);
  }
  const rest = times.slice(1);
  return {
    method: method.name,
    model: modelName,
    edits: requests.length,
    secondsPerEdit: round(rest.reduce((a, b) => a + b, 0) / rest.length),
    firstEditSeconds: round(times[0]),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
