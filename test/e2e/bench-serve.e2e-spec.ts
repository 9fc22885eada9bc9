import { runKed } from './support/daemon-process';

/** `ked bench serve` runs a real daemon under load; here briefly, to check it works end to end. */
describe('ked bench serve', () => {
  it('loads completions with growing edit memories and reports every size without errors', async () => {
    const result = await runKed(['bench', 'serve', '--edits', '0,50', '--duration', '1', '--connections', '2', '--max-tokens', '2', '--json'], {}).done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 2)).toEqual([
      { edits: 0, rps: expect.any(Number), p50Ms: expect.any(Number), p99Ms: expect.any(Number), errors: 0 },
      { edits: 50, rps: expect.any(Number), p50Ms: expect.any(Number), p99Ms: expect.any(Number), errors: 0 },
    ]);
    expect(lines[0].rps).toBeGreaterThan(0);
    expect(lines[2]).toEqual({ routingOverheadPct: expect.any(Number), from: 0, to: 50 });
  });

  it('measures keyed edits too (GRACE entries selected by each request\'s hidden-state key)', async () => {
    const result = await runKed(['bench', 'serve', '--kind', 'keyed', '--edits', '0,20', '--duration', '1', '--connections', '2', '--max-tokens', '2', '--json'], {}).done;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.edits, l.errors])).toEqual([
      [0, 0],
      [20, 0],
      [undefined, undefined],
    ]);
  });
});
