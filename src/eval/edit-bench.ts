import { loadavg } from 'node:os';
import type { EditContext, EditMethod } from '../editors/edit-method';
import type { EditRequest } from '../editors/edit-request';

export interface EditBenchOptions {
  /** Requests per compute call (a batchable method's batch, MEMIT's 100 say); default 1. */
  batch?: number;
  /** The machine's MatMul GFLOP/s, measured before and after the timed calls. */
  matmulGflops: () => Promise<number>;
  onEdit?: (done: number) => void;
}

export interface EditBenchResult {
  method: string;
  model: string;
  edits: number;
  /** Requests per timed compute call. */
  batch: number;
  /** Wall time per edit over the calls after the first (which computes the one-time statistics). */
  secondsPerEdit: number;
  /** Process CPU time (every thread) per edit over the same calls: what a shared machine's load does not inflate. */
  cpuSecondsPerEdit: number;
  /** The first call (one request), which also computes the per-model statistics unless cached. */
  firstEditSeconds: number;
  firstEditCpuSeconds: number;
  /**
   * fp32 MatMul throughput in the same run, before and after the edits, so that each time can be
   * read against what the machine delivered (on a shared machine both move together).
   */
  matmulGflops: number;
  matmulGflopsAfter: number;
  /** One-minute load average before and after (another job on the cores inflates wall times). */
  loadAverage: number;
  loadAverageAfter: number;
  /** Peak resident set size of the process (ru_maxrss). */
  peakRssMb: number;
}

/**
 * `ked bench edit`: times a method's compute over requests, `batch` requests per call. The first
 * call, one request, pays for the per-model statistics a locate-and-edit method caches (ROME's C,
 * AlphaEdit's projector) and is reported apart.
 */
export async function benchEdit(context: EditContext, method: EditMethod, hparams: unknown, requests: readonly EditRequest[], modelName: string, options: EditBenchOptions): Promise<EditBenchResult> {
  const batch = options.batch ?? 1;
  if (batch > 1 && !method.capabilities.batchable) throw new Error(`${method.name} takes one request per call (not batchable); drop --batch`);
  // The first call, one request, computes the statistics; the timed calls are whole batches.
  const rest = requests.slice(1);
  const calls = [requests.slice(0, 1), ...Array.from({ length: Math.floor(rest.length / batch) }, (_, i) => rest.slice(i * batch, (i + 1) * batch))];
  if (calls.length < 2) throw new Error(`ked bench edit needs 1 + ${batch} requests at least (the first call, one request, warms the statistics); got ${requests.length}`);
  const loadAverage = loadavg()[0];
  const matmulGflops = await options.matmulGflops();
  const wall: number[] = [];
  const cpu: number[] = [];
  const state = new Map<string, unknown>();
  for (const [i, call] of calls.entries()) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await method.compute({ ...context, methodState: state }, call, hparams);
    const used = process.cpuUsage(cpuStarted);
    wall.push((performance.now() - started) / 1000);
    cpu.push((used.user + used.system) / 1e6);
    options.onEdit?.(i);
  }
  const perEdit = (times: number[]) => round(times.slice(1).reduce((a, b) => a + b, 0) / ((times.length - 1) * batch));
  return {
    method: method.name,
    model: modelName,
    edits: 1 + (calls.length - 1) * batch,
    batch,
    secondsPerEdit: perEdit(wall),
    cpuSecondsPerEdit: perEdit(cpu),
    firstEditSeconds: round(wall[0]),
    firstEditCpuSeconds: round(cpu[0]),
    matmulGflops,
    matmulGflopsAfter: await options.matmulGflops(),
    loadAverage: round(loadAverage),
    loadAverageAfter: round(loadavg()[0]),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
