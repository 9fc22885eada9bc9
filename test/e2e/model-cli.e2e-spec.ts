import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCheckpoint } from '../../src/models/checkpoint/checkpoint';
import { randomWeights, TINY_GPT2 } from '../../src/models/checkpoint/tiny-checkpoints';
import type { Gpt2Config } from '../../src/models/config';
import { runKed } from './support/daemon-process';
import { tempDataDir } from './support/engines';

const TOKENIZER = join(__dirname, '..', '..', 'src', 'models', 'tokenizer', 'fixtures', 'byte-level-bpe');

/** The model commands as users run them, on a small random GPT-2 with a real tokenizer. */
describe('ked model commands', () => {
  const dir = tempDataDir();
  const config: Gpt2Config = { ...TINY_GPT2, vocabSize: 294, maxPositions: 64, dModel: 16, dFF: 64, bosTokenId: undefined, eosTokenId: undefined };

  beforeAll(async () => {
    await writeCheckpoint(dir.dir, { config, weights: randomWeights(config, 3), dtype: 'float32', tokenizerFrom: TOKENIZER });
  });
  afterAll(() => dir.remove());

  it('ked model info --json describes the checkpoint', async () => {
    const result = await runKed(['model', 'info', dir.dir, '--json'], {}).done;
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info).toMatchObject({ modelType: 'gpt2', layers: 2, dModel: 16, vocab: 294 });
    // wte 294·16 + wpe 64·16 + per layer (2·16 ln + 16·48+48 + 16·16+16 + 2·16 ln + 16·64+64 + 64·16+16) + ln_f 32
    expect(info.params).toBe(294 * 16 + 64 * 16 + 2 * (32 + 816 + 272 + 32 + 1088 + 1040) + 32);
  });

  it('ked generate continues a prompt, deterministically when greedy', async () => {
    const run = () => runKed(['generate', '--model', dir.dir, '--prompt', 'the quick brown fox', '--max-new-tokens', '6', '--json'], {}).done;
    const [first, second] = [await run(), await run()];
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out.tokens).toBe(6);
    expect(out.promptTokens).toBeGreaterThan(0);
    expect(typeof out.text).toBe('string');
    expect(second.stdout).toBe(first.stdout);
  });

  it('ked bench model --json reports throughput', async () => {
    const result = await runKed(['bench', 'model', '--model', dir.dir, '--json', '--batch', '2', '--prompt-tokens', '8', '--new-tokens', '4'], {}).done;
    expect(result.code).toBe(0);
    const bench = JSON.parse(result.stdout);
    expect(bench.prefillTokensPerSec).toBeGreaterThan(0);
    expect(bench.decodeTokensPerSec).toBeGreaterThan(0);
  });

  it('ked bench train --json times the training step, graph and optimizer apart', async () => {
    const result = await runKed(['bench', 'train', '--json', '--batch', '2', '--seq', '16', '--d-model', '32', '--layers', '1', '--heads', '2', '--vocab', '64', '--steps', '2'], {}).done;
    expect(result.code).toBe(0);
    const bench = JSON.parse(result.stdout);
    expect(bench.tokensPerSec).toBeGreaterThan(0);
    expect(bench.graphMs).toBeGreaterThan(0);
    expect(bench.optimizerMs).toBeGreaterThan(0);
    expect(bench.shape).toEqual({ batch: 2, seq: 16, dModel: 32, layers: 1, heads: 2, vocab: 64 });
  });

  it('a malformed checkpoint fails with an error naming the tensor or field, no stack trace', async () => {
    const broken = tempDataDir();
    try {
      await writeCheckpoint(broken.dir, { config, weights: randomWeights(config, 3), dtype: 'float32' });
      const cfg = JSON.parse(readFileSync(join(broken.dir, 'config.json'), 'utf8'));
      cfg.n_layer = 3; // the file holds tensors for 2 layers: every h.2.* tensor is missing
      writeFileSync(join(broken.dir, 'config.json'), JSON.stringify(cfg));
      const result = await runKed(['model', 'info', broken.dir], {}).done;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/h\.2\./);
      expect(result.stderr).not.toMatch(/\n\s+at /);

      cfg.model_type = 'bert';
      writeFileSync(join(broken.dir, 'config.json'), JSON.stringify(cfg));
      const unknown = await runKed(['model', 'info', broken.dir], {}).done;
      expect(unknown.stderr.trim()).toMatch(/unknown model_type "bert"/);
    } finally {
      broken.remove();
    }
  });
});

