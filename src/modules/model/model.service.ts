import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, ServiceUnavailableException } from '@nestjs/common';
import { Mutex, Semaphore } from 'async-mutex';
import { join } from 'node:path';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { commitDelta } from '../../editors/commit-delta';
import { MethodCatalogue } from '../../editors/method-catalogue';
import type { KnowledgeBase } from '../../editors/edit-method';
import type { DeltaOperation, EditOperation } from '../../editors/edit-operation';
import type { EditRequest } from '../../editors/edit-request';
import { loadCheckpoint } from '../../models/checkpoint/checkpoint';
import { LanguageModel } from '../../models/language-model';
import { loadTokenizer, type KedTokenizer } from '../../models/tokenizer';
import { SessionManager } from '../../runtime/session/session-manager';
import { knowledgeBaseFromFile } from './knowledge-base-file';
import { EditRunner } from './edit-process/edit-runner';

export interface LoadedModel {
  /**
   * Serves inference. Its weights change only when an edit is committed or a committed edit is
   * rolled back, and then only under `changingWeights`, never under a request being served.
   */
  serving: LanguageModel;
  tokenizer: KedTokenizer;
  name: string;
}

const SERVING_PERMITS = 1 << 16;

/** The deployed model (KED_MODEL), loaded once at start. */
@Injectable()
export class ModelService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelService.name);
  private readonly sessions: SessionManager;
  private loaded?: Promise<LoadedModel>;

  /**
   * `methods`: each method's hyper-parameters as this deployment sets them (KED_HPARAMS_DIR over
   * the defaults), the one catalogue createApp read and checked before the app was built.
   */
  constructor(
    @InjectKedConfig() private readonly config: KedConfig,
    readonly methods: MethodCatalogue,
  ) {
    this.sessions = new SessionManager({ threads: config.threads });
  }

  onModuleInit(): void {
    if (!this.config.model) return;
    this.loaded = this.load(this.config.model);
    this.loaded.then(
      (m) => this.logger.log(`model ${m.name}: ${m.serving.config.modelType}, ${m.serving.config.layers} layers, d=${m.serving.config.dModel}`),
      (err: Error) => this.logger.error(`cannot load KED_MODEL ${this.config.model}: ${err.message}`),
    );
  }

  get configured(): boolean {
    return this.loaded !== undefined;
  }

  private loadedKnowledge?: { value: KnowledgeBase | undefined };

  /**
   * The entity knowledge base (KED_KNOWLEDGE_BASE) PokeMQA's knowledge prompt reads, or undefined
   * when none is configured. The file is read on the first lookup (readers that never prompt with
   * it never load it); one that cannot be read is logged once and describes nothing.
   */
  knowledge(): KnowledgeBase | undefined {
    return this.config.knowledgeBase ? this.knowledgeLookup : undefined;
  }

  private readonly knowledgeLookup: KnowledgeBase = {
    describeQuestionEntity: (question) => this.loadKnowledge()?.describeQuestionEntity(question),
    aliasesOf: (name) => this.loadKnowledge()?.aliasesOf(name) ?? [],
  };

  private loadKnowledge(): KnowledgeBase | undefined {
    if (!this.loadedKnowledge) {
      const path = this.config.knowledgeBase!;
      let value: KnowledgeBase | undefined;
      try {
        value = knowledgeBaseFromFile(path);
      } catch (err) {
        this.logger.warn(`KED_KNOWLEDGE_BASE ${path} is not used: ${(err as Error).message}`);
      }
      this.loadedKnowledge = { value };
    }
    return this.loadedKnowledge.value;
  }

  /**
   * Counts tokens as the served model reads them, and its context length; undefined while no
   * model is configured or loaded (facts are then checked by characters alone).
   */
  async contextLimit(): Promise<{ tokens(text: string): number; maxTokens: number } | undefined> {
    if (!this.loaded) return undefined;
    const model = await this.loaded.catch(() => undefined);
    if (!model) return undefined;
    return { tokens: (text) => model.tokenizer.encode(text, { addSpecialTokens: false }).length, maxTokens: model.serving.config.maxPositions };
  }

  /** The model, or 503 when none is configured or it failed to load. */
  async get(): Promise<LoadedModel> {
    if (!this.loaded) throw new ServiceUnavailableException('no model is configured (set KED_MODEL to a Hugging Face checkpoint directory)');
    try {
      return await this.loaded;
    } catch (err) {
      throw new ServiceUnavailableException(`the model failed to load: ${(err as Error).message}`);
    }
  }

  /**
   * Computes an edit in the edit process, on its own copy of the served weights (editors change
   * the weights they compute on, FT and MEMIT's layer-by-layer spread among them), with its own
   * threads, heap and time budget: a computation that exhausts them fails with EditProcessCrash
   * and the daemon goes on. The worker and erasures take turns. With `liveEdits`, a method that
   * depends on earlier edits (EditMethod.account: AlphaEdit) first has its state brought to the
   * live edits of that method: their ids, and a loader of their stored operations.
   */
  async computeEdit(method: string, requests: readonly EditRequest[], options: { liveEdits?: { ids: () => Promise<string[]>; load: (ids: string[]) => Promise<EditOperation[]> } } = {}): Promise<EditOperation[]> {
    await this.get();
    const live = options.liveEdits;
    return this.editingLock.runExclusive(async () => {
      if (live) await this.editor!.sync(method, await live.ids(), live.load);
      return this.editor!.compute(method, requests, live !== undefined);
    });
  }

  private editor?: EditRunner;

  private readonly editingLock = new Mutex();

  /**
   * Serving takes one permit, a weight change all of them (FIFO: a waiting change is not starved
   * by later requests, and requests after it see the new weights).
   */
  private readonly servingLock = new Semaphore(SERVING_PERMITS);

  /** Runs model work on the serving weights (generation, scoring): never during a weight change. Not reentrant. */
  async reading<T>(work: () => Promise<T>): Promise<T> {
    return this.servingLock.runExclusive(work, 1);
  }

  /**
   * Changes the serving weights with no request being served and no edit being computed: a
   * commit, or the rollback of a committed edit. `merge` adds or subtracts a delta in the served
   * weights and in the edit process's copy alike.
   */
  async changingWeights<T>(change: (model: LoadedModel, merge: (operation: DeltaOperation, sign: 1 | -1) => Promise<void>) => Promise<T> | T): Promise<T> {
    const model = await this.get();
    const merge = async (operation: DeltaOperation, sign: 1 | -1) => {
      commitDelta(model.serving.config, model.serving.weights, operation, sign);
      await this.editor!.merge(operation, sign);
    };
    return this.editingLock.runExclusive(() =>
      this.servingLock.runExclusive(async () => {
        this.weightChanges++;
        return change(model, merge);
      }, SERVING_PERMITS),
    );
  }

  /** Counts weight changes: work prepared under one count is stale under another (a prefilled KV cache). */
  get weightsVersion(): number {
    return this.weightChanges;
  }

  private weightChanges = 0;

  private async load(dir: string): Promise<LoadedModel> {
    const [checkpoint, tokenizer] = await Promise.all([loadCheckpoint(dir), loadTokenizer(dir)]);
    const { threads, memoryMb, timeoutMs, nice } = this.config.editProcess;
    this.editor = new EditRunner({ modelDir: dir, statsCorpus: this.config.statsCorpus, statsCacheDir: join(this.config.dataDir, 'stats'), hparamsDir: this.config.hparamsDir, threads, memoryMb, timeoutMs, nice });
    return { serving: new LanguageModel(checkpoint.config, checkpoint.weights, this.sessions), tokenizer, name: dir };
  }

  /**
   * Closes the sessions once the model work in flight is done: requests whose client has gone
   * still run when the HTTP server has closed, and an edit may be computing.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.editor?.close();
    await this.editingLock.runExclusive(() => this.servingLock.runExclusive(() => this.sessions.close(), SERVING_PERMITS));
  }
}
