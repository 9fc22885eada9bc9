import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getMethod } from '../editors/builtin-methods';
import type { EditOperation } from '../editors/edit-operation';
import { fixtureContext, REPO_ROOT } from '../../test/support/fixture-context';
import { SessionManager } from '../runtime/session/session-manager';
import { loadDataset } from './dataset/load-dataset';
import { connect } from '@lancedb/lancedb';
import { encodeOperation } from '../editors/operation-codec';
import { EditMemory } from '../memory/edit-memory';
import type { EditOperationRow } from '../memory/entities';
import { factScope, memoryEditOf, scopedEditOf, scopeKeysOf } from '../memory/stored-edit';
import { DetectorRouter } from './detector-router';
import { runEvaluation } from './run-evaluation';

const context = (text: string): EditOperation => ({ kind: 'context', method: 'ice', requests: [0], text });

describe('DetectorRouter', () => {
  it('selects the operations whose statements the scope detector puts the prompt in scope of', async () => {
    const router = new DetectorRouter();
    try {
      const writer = context('Imagine that the writer of Feather of Mountain is Stosel Sosar.');
      const ceo = context('Imagine that the CEO of Acme Corp is Jane Doe.');
      router.add(writer, [{ subjects: ['Feather of Mountain'], statement: 'The writer of Feather of Mountain is Stosel Sosar' }]);
      router.add(ceo, [{ subjects: ['Acme Corp'], statement: 'The CEO of Acme Corp is Jane Doe' }]);
      expect(await router.select('The writer of Feather of Mountain is')).toEqual([writer]);
      expect(await router.select('Who is the chief executive of Acme Corp?')).toEqual([ceo]);
      // Another relation of the same subject, and a subject no edit is about.
      expect(await router.select('Where is Acme Corp headquartered?')).toEqual([]);
      expect(await router.select('Where was Setan Bazago born?')).toEqual([]);
      // Operations added after a selection are seen by the next one.
      const late = context('Imagine that Setan Bazago was born in Nuford.');
      router.add(late, [{ subjects: ['Setan Bazago'], statement: 'Setan Bazago was born in Nuford' }]);
      expect(await router.select('Where was Setan Bazago born?')).toEqual([late]);
    } finally {
      router.close();
    }
  }, 60_000);
});

describe('memory records in the edit memory', () => {
  const record = (method: string, scoped: boolean): EditOperation => ({
    kind: 'context',
    method,
    requests: [0],
    text: 'The CEO of Acme Corp is Jane Doe',
    memory: { subject: 'Acme Corp', object: 'Jane Doe', ...(scoped ? { scoped } : {}) },
  });

  it("reaches a request that names the subject (MeLLo's), or only one the detector puts in scope when scoped (SERAC's)", async () => {
    const router = new DetectorRouter();
    try {
      const mello = record('mello', false);
      const serac = record('serac', true);
      router.add(mello, [{ subjects: ['Acme Corp'], statement: 'The CEO of Acme Corp is Jane Doe' }]);
      router.add(serac, [{ subjects: ['Acme Corp'], statement: 'The CEO of Acme Corp is Jane Doe' }]);
      expect(await router.select('Who is the chief executive of Acme Corp?')).toEqual([mello, serac]);
      // Another relation of the same subject: MeLLo's reader decides; SERAC's classifier already said no.
      expect(await router.select('Where is Acme Corp headquartered?')).toEqual([mello]);
      expect(await router.select('Where was Setan Bazago born?')).toEqual([]);
    } finally {
      router.close();
    }
  }, 60_000);
});

describe('one edit memory for the daemon and the harness', () => {
  it('picks the same edits for the same facts: stored as the daemon stores them, or added by the harness', async () => {
    const dataset = loadDataset(join(REPO_ROOT, 'data', 'world', 'world-counterfact.test.json'));
    const cases = dataset.cases.slice(0, 40);
    const facts = cases.flatMap((c) => c.requests);
    const router = new DetectorRouter();
    const dir = mkdtempSync(join(tmpdir(), 'ked-same-edits-'));
    const daemon = await EditMemory.open(await connect(dir));
    try {
      const ops = facts.map((f) => context(`Imagine that ${f.prompt} ${f.target_new}.`));
      for (const [i, f] of facts.entries()) {
        router.add(ops[i], [factScope(f.subject, f.prompt, f.target_new)]);
        // The daemon's path: a row with the fact's scope keys and encoded payload, read back.
        const row = { id: `edit-${i}`, factId: `fact-${i}`, erasureId: null, scopeKeys: scopeKeysOf(factScope(f.subject, f.prompt, f.target_new)), payload: encodeOperation(ops[i]), payloadSha256: null } as unknown as EditOperationRow;
        await daemon.add([{ edit: memoryEditOf(row), scope: scopedEditOf(row) }]);
      }
      const probes = [
        ...cases.flatMap((c) => [...c.reliability, ...c.generalization, ...Object.values(c.portability).flat(), ...Object.values(c.locality).flat()].map((p) => p.prompt)),
        ...dataset.cases.slice(200, 220).flatMap((c) => c.reliability.map((p) => p.prompt)),
      ];
      let routed = 0;
      for (const probe of probes) {
        const picked = (await daemon.resolve(probe)).edits.map((e) => Number(e.id.slice('edit-'.length)));
        expect([probe, (await router.select(probe)).map((op) => ops.indexOf(op))]).toEqual([probe, picked]);
        if (picked.length) routed++;
      }
      // Both routes fire on most edited prompts and stay silent on the rest.
      expect(routed).toBeGreaterThan(30);
      expect(routed).toBeLessThan(probes.length - 20);
    } finally {
      router.close();
      await daemon.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("routing 'detector' in the harness", () => {
  const sessions = new SessionManager({ threads: 1 });
  afterAll(() => sessions.close());

  it('routes each probe by its own prompt: edits reach their prompts, locality stays near 100', async () => {
    const dataset = loadDataset(join(REPO_ROOT, 'data', 'world', 'world-counterfact.test.json'));
    const dir = mkdtempSync(join(tmpdir(), 'ked-detector-'));
    try {
      const ice = getMethod('ice');
      const base = { ...(await fixtureContext(sessions)), dataset, method: ice, hparams: ice.hparams.parse({}), mode: 'sequential' as const, n: 16, skipFluency: true, generalProbes: 0 };
      const detector = await runEvaluation({ ...base, routing: 'detector', runDir: join(dir, 'detector') });
      const global = await runEvaluation({ ...base, routing: 'global', runDir: join(dir, 'global') });
      expect(detector.routing).toBe('detector');
      expect(detector.locality).toBeGreaterThan(95);
      expect(global.locality).toBeLessThan(90);
      expect(detector.reliability).toBeGreaterThan(60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
