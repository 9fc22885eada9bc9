import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKed } from './support/daemon-process';
import { tempDataDir } from './support/engines';

const ROOT = join(__dirname, '..', '..');
const COUNTERFACT = join(ROOT, 'data', 'world', 'world-counterfact.test.json');

/** `ked eval` on the fixture model, as users run it. */
describe('ked eval', () => {
  const dir = tempDataDir();
  afterAll(() => dir.remove());
  const evalJson = async (args: string[]) => {
    const result = await runKed(['eval', '--model', join(ROOT, 'models', 'fixture'), '--reports', dir.dir, '--json', ...args], {}).done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('--method none keeps locality at exactly 100 (teacher-forced and wild) and fluency unchanged', async () => {
    const none = await evalJson(['--method', 'none', '--dataset', COUNTERFACT, '--n', '20', '--general-probes', '0', '--protocol', 'wild']);
    expect(none).toMatchObject({ method: 'none', mode: 'single', n: 20, locality: 100 });
    expect(none.wild).toMatchObject({ answerTokens: 24, locality: 100 }); // generated answers, unchanged too
    expect(none.fluency).toBe(none.baseFluency);
    expect(none.routing).toBe('detector'); // what users get, unless --routing says otherwise
    const ice = await evalJson(['--method', 'ice', '--dataset', COUNTERFACT, '--n', '20', '--general-probes', '0', '--no-fluency', '--routing', 'global']);
    expect(ice.editSucc).toBeGreaterThan(none.editSucc + 30); // the fixture learned to follow "Imagine that …"
    expect(ice.locality).toBeLessThan(100); // the survey's ICE: context on every probe costs locality
    for (const key of ['editSucc', 'portability', 'locality']) expect(typeof ice[key]).toBe('number');
    // Through the scope detector, as the daemon serves it, unrelated probes keep their answers.
    const detected = await evalJson(['--method', 'ice', '--dataset', COUNTERFACT, '--n', '20', '--general-probes', '0', '--no-fluency']);
    expect(detected).toMatchObject({ routing: 'detector' });
    expect(detected.locality).toBeGreaterThan(ice.locality);
    expect(detected.editSucc).toBeGreaterThan(none.editSucc + 30);
  }, 400_000);

  it('ked erasure-eval erases world people in a daemon: what the model knew about them is refused, others keep their answers', async () => {
    const result = await runKed(['erasure-eval', '--people', '2', '--others', '2', '--json'], {}).done;
    expect([result.code, result.stderr]).toEqual([0, '']);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ people: 2, others: 2, done: 2, promptsPerPerson: 90, othersUnchanged: 100 });
    // The fixture knows these people's attributes before, and says none of them in answer to a question after.
    expect(out.leakedBefore.train.question).toBeGreaterThan(90);
    expect(out.refusedAfter.train.question).toBe(100);
    expect(out.leakedAfter.train.question).toBe(0);
    expect(out.leakedAfter.train.cloze).toBeLessThan(out.leakedBefore.train.cloze / 4);
  }, 300_000);

  it('names the record and field of a malformed dataset, and unknown methods', async () => {
    const bad = join(dir.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ subject: 'A', prompt: 'A is', target_new: 'B', ground_truth: 'C' }, { subject: 'A', prompt: 'A is', target_new: 'B', rephrase_prompt: 7 }]));
    const malformed = await runKed(['eval', '--method', 'none', '--dataset', bad, '--reports', dir.dir], {}).done;
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/record 1: "rephrase_prompt"/);
    const unknown = await runKed(['eval', '--method', 'telepathy', '--dataset', COUNTERFACT, '--reports', dir.dir], {}).done;
    expect(unknown.stderr).toMatch(/unknown edit method "telepathy"/);
  }, 120_000);
});
