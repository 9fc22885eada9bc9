import { benchLines, runKed } from './support/daemon-process';

/** `ked bench serve` runs a real daemon under load; here briefly, to check it works end to end. */
describe('ked bench serve', () => {
  it('loads completions with growing edit memories and reports every size without errors', async () => {
    const result = await runKed(['bench', 'serve', '--edits', '0,50', '--duration', '1', '--connections', '2', '--max-tokens', '2', '--json'], {}).done;
    expect(result.code).toBe(0);
    const lines = benchLines(result.stdout);
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
    const lines = benchLines(result.stdout);
    expect(lines.map((l) => [l.edits, l.errors])).toEqual([
      [0, 0],
      [20, 0],
      [undefined, undefined],
    ]);
  });

  it('measures completions idle and while facts are applied (--ingest), with /health latency and no errors', async () => {
    const result = await runKed(['bench', 'serve', '--ingest', '3', '--duration', '1', '--connections', '2', '--max-tokens', '2', '--json'], {}).done;
    expect(result.code).toBe(0);
    const lines = benchLines(result.stdout);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toEqual(
      expect.objectContaining({
        idleP99Ms: expect.any(Number),
        ingestP99Ms: expect.any(Number),
        idleRps: expect.any(Number),
        ingestRps: expect.any(Number),
        idleP50Ms: expect.any(Number),
        ingestP50Ms: expect.any(Number),
        factsApplied: expect.any(Number),
        p99Ratio: expect.any(Number),
        healthP99Ms: expect.any(Number),
        facts: 3,
        connections: 2,
        errors: 0,
      }),
    );
    expect(line.idleRps).toBeGreaterThan(0);
    expect(line.ingestRps).toBeGreaterThan(0);
    // The ingest load runs at most --duration seconds, and only while facts are still being applied.
    expect(line.ingestSeconds).toBeLessThanOrEqual(3);
    expect(line.factsApplied).toBeLessThanOrEqual(3);
  }, 240_000);
});
