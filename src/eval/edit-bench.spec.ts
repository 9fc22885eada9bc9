import { z } from 'zod';
import type { EditContext, EditMethod } from '../editors/edit-method';
import type { EditRequest } from '../editors/edit-request';
import { benchEdit } from './edit-bench';

const requests: EditRequest[] = Array.from({ length: 6 }, (_, i) => ({ prompt: `p${i}`, subject: `s${i}`, target_new: `t${i}` }) as EditRequest);
const context = {} as EditContext;

/** A method whose calls are recorded; the first call is slow (it stands for the statistics). */
function recordingMethod(batchable: boolean): EditMethod & { calls: number[] } {
  const calls: number[] = [];
  return {
    name: 'fake',
    capabilities: { batchable, routable: true, committable: true, needsTrainSplit: false },
    hparams: z.strictObject({}),
    calls,
    compute: async (_context, batch) => {
      calls.push(batch.length);
      await new Promise((resolve) => setTimeout(resolve, calls.length === 1 ? 60 : 5));
      return [];
    },
  };
}

describe('benchEdit', () => {
  it('prints the same run\'s MatMul GFLOP/s beside the times, measured before and after the edits', async () => {
    const gflops = jest.fn().mockResolvedValueOnce(210.5).mockResolvedValueOnce(180.25);
    const result = await benchEdit(context, recordingMethod(false), {}, requests.slice(0, 3), 'fake-model', { matmulGflops: gflops });
    expect(gflops).toHaveBeenCalledTimes(2);
    expect(result).toMatchObject({ method: 'fake', model: 'fake-model', edits: 3, batch: 1, matmulGflops: 210.5, matmulGflopsAfter: 180.25 });
    expect(result.firstEditSeconds).toBeGreaterThan(result.secondsPerEdit); // the first call is reported apart
    for (const field of ['secondsPerEdit', 'cpuSecondsPerEdit', 'firstEditCpuSeconds', 'loadAverage', 'loadAverageAfter', 'peakRssMb'] as const) expect(typeof result[field]).toBe('number');
  });

  it('warms with one request, then calls a batchable method with `batch` requests per call and reports time per edit', async () => {
    const method = recordingMethod(true);
    const result = await benchEdit(context, method, {}, requests, 'm', { batch: 2, matmulGflops: async () => 1 });
    expect(method.calls).toEqual([1, 2, 2]); // the sixth request would make a partial batch
    expect(result).toMatchObject({ edits: 5, batch: 2 });
    expect(result.secondsPerEdit).toBeLessThan(0.05); // 5 ms calls of 2 edits
  });

  it('refuses batches for a method that takes one request per call, and fewer than two calls', async () => {
    await expect(benchEdit(context, recordingMethod(false), {}, requests, 'm', { batch: 2, matmulGflops: async () => 1 })).rejects.toThrow('not batchable');
    await expect(benchEdit(context, recordingMethod(true), {}, requests.slice(0, 3), 'm', { batch: 3, matmulGflops: async () => 1 })).rejects.toThrow('1 + 3 requests at least');
  });
});
