import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KedConfig } from '../../config/ked-config';
import { REPO_ROOT } from '../../../test/support/fixture-context';
import { MethodCatalogue } from '../../editors/method-catalogue';
import { ModelService } from './model.service';

const methods = new MethodCatalogue();

describe('ModelService weight changes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ked-model-service-'));
  const editProcess = { threads: 1, memoryMb: 1024, timeoutMs: 60_000, nice: 0 };
  const service = new ModelService({ model: join(REPO_ROOT, 'models', 'fixture'), dataDir, editProcess } as KedConfig, methods);
  beforeAll(() => service.onModuleInit());
  afterAll(async () => {
    await service.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const tick = () => new Promise((r) => setTimeout(r, 20));

  it('waits for requests in flight, and requests that come after a waiting change wait for it', async () => {
    await service.get();
    const order: string[] = [];
    let finishRead!: () => void;
    const read = service.reading(
      () =>
        new Promise<void>((resolve) => {
          order.push('read');
          finishRead = () => {
            order.push('read done');
            resolve();
          };
        }),
    );
    await tick();
    const change = service.changingWeights(() => {
      order.push('change');
    });
    await tick(); // the change is waiting for the read now
    const later = service.reading(async () => {
      order.push('later read');
    });
    await tick();
    expect(order).toEqual(['read']);
    finishRead();
    await Promise.all([read, change, later]);
    expect(order).toEqual(['read', 'read done', 'change', 'later read']);
  });

  it('a failing change releases the lock', async () => {
    await expect(service.changingWeights(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(service.reading(async () => 'served')).resolves.toBe('served');
  });

  it('shuts down only after the model work in flight is done', async () => {
    const other = new ModelService({ model: join(REPO_ROOT, 'models', 'fixture'), dataDir, editProcess } as KedConfig, methods);
    await other.onModuleInit();
    const { serving, tokenizer } = await other.get();
    let finishRead!: () => void;
    const held = new Promise<void>((resolve) => (finishRead = resolve));
    // A request whose generation is still to run when shutdown begins.
    const read = other.reading(async () => {
      await held;
      return serving.generate([tokenizer.encode('The capital of')], { maxNewTokens: 2 });
    });
    await tick();
    let closed = false;
    const shutdown = other.onApplicationShutdown().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    finishRead();
    const [generated] = await read; // ran on open sessions
    expect(generated).toHaveLength(2);
    await shutdown;
    expect(closed).toBe(true);
  });
});

describe("ModelService's knowledge base", () => {
  it('reads KED_KNOWLEDGE_BASE on first lookup; none when not configured; a file that is not an entity list describes nothing', () => {
    const file = join(REPO_ROOT, 'data', 'world', 'knowledge-base.json');
    const service = new ModelService({ knowledgeBase: file } as KedConfig, methods);
    expect(service.knowledge()?.describeQuestionEntity('Who wrote Feather of Mountain?')).toBe('Feather of Mountain, a written work');
    expect(service.knowledge()).toBe(service.knowledge());
    expect(new ModelService({} as KedConfig, methods).knowledge()).toBeUndefined();
    const broken = new ModelService({ knowledgeBase: join(REPO_ROOT, 'package.json') } as KedConfig, methods);
    expect(broken.knowledge()?.describeQuestionEntity('Who wrote Feather of Mountain?')).toBeUndefined(); // and a warning names the file and the field
  });
});
