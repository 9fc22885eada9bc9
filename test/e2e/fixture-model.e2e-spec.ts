import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKed } from './support/daemon-process';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'models', 'fixture');

/**
 * The committed fixture model (issue #5) keeps the quality the rest of ked relies on. A seeded
 * sample of each probe set keeps this fast; `ked model quality --max 0` scores everything.
 */
describe('the fixture model', () => {
  it('is committed with its tokenizer and manifest', () => {
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'manifest.json']) {
      expect(existsSync(join(FIXTURE, file))).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(FIXTURE, 'manifest.json'), 'utf8'));
    expect(manifest.wallSeconds).toBeLessThanOrEqual(45 * 60);
  });

  type Quality = Record<'factAcc' | 'heldOutTemplateAcc' | 'iclCopyAcc' | 'twoHopAcc' | 'melloFormatAcc' | 'refusalAcc', number>;

  /** `ked model quality --max 300` of a checkpoint: a seeded sample of every probe set. */
  async function sampledQuality(model: string): Promise<Quality> {
    const result = await runKed(['model', 'quality', '--model', model, '--world', join(ROOT, 'data', 'world'), '--max', '300', '--json'], {}).done;
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Quality;
  }

  /** Every named score at or above its floor (one assertion, so a failure lists them all). */
  function expectFloors(quality: Quality, floors: Partial<Quality>): void {
    const below = Object.entries(floors).filter(([name, floor]) => quality[name as keyof Quality] < floor!);
    expect(below.map(([name, floor]) => `${name} ${quality[name as keyof Quality]} < ${floor}`)).toEqual([]);
  }

  // Issue #5's targets (facts 95, ICL copy 90, MeLLo 90) as floors, and regression floors a little
  // under what the fixture measures for the rest (every probe: facts 99.86, held-out 70.96, ICL
  // copy 92.58, MeLLo 93.26, refusal 97.01, two-hop 58.4; its --max 300 sample: 99.8 / 69.5 /
  // 93.1 / 93.9 / 97 / 59.2). The held-out target (80) is not met; see models/fixture/README.md.
  it('keeps its measured quality: facts, paraphrases, in-context edits, MeLLo traces, refusals', async () => {
    expectFloors(await sampledQuality(FIXTURE), { factAcc: 95, heldOutTemplateAcc: 80, iclCopyAcc: 90, twoHopAcc: 52, melloFormatAcc: 90, refusalAcc: 95 });
  }, 300_000);

  it('breaks paraphrase accuracy down by template, worst first, adding up to the held-out score', async () => {
    const result = await runKed(['model', 'quality', '--model', FIXTURE, '--world', join(ROOT, 'data', 'world'), '--by-template', '--json'], {}).done;
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ relation: string; template: string; split: string; probes: number; accuracy: number }>;
    expect(rows.map((r) => r.accuracy)).toEqual([...rows.map((r) => r.accuracy)].sort((a, b) => a - b));
    const heldOut = rows.filter((r) => r.split === 'held_out');
    expect(heldOut).toHaveLength(46);
    expect(rows).toHaveLength(46 + 184);
    // Weighted by facts, the rows give back heldOutTemplateAcc over every probe (reports/fixture-quality.md: 87.61).
    const weighted = heldOut.reduce((s, r) => s + r.accuracy * r.probes, 0) / heldOut.reduce((s, r) => s + r.probes, 0);
    expect(weighted).toBeCloseTo(87.61, 0);
    expect(heldOut[0]).toMatchObject({ accuracy: 0 });
  }, 300_000);

  it('refuses under an erasure context with ked generate', async () => {
    const result = await runKed(['generate', '--model', FIXTURE, '--prompt', 'Forget everything about Revol Giru. Q: What is the email address of Revol Giru? A:', '--max-new-tokens', '8', '--json'], {}).done;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).text).toMatch(/^ I don't know\./);
  }, 120_000);
});
