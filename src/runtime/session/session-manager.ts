import * as ort from 'onnxruntime-node';
import type { DType, HostTensor } from '../graph/dtype';
import type { Graph, Value } from '../graph/graph';
import { serializeGraph } from '../onnx/serialize';
import { defaultThreads } from './default-threads';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface SessionManagerOptions {
  /** Intra-op threads (default: `defaultThreads()`, every core). */
  threads?: number;
  provider?: ExecutionProvider;
  /** Compiled sessions kept (least recently used are released first). */
  maxSessions?: number;
}

type Feed = HostTensor | ort.Tensor;
const isOrtTensor = (t: Feed): t is ort.Tensor => t instanceof (ort.Tensor as unknown as new () => object);

/**
 * Compiles graphs into onnxruntime sessions, cached by the graph's structure hash, and runs them.
 * Params (trainable or routed weights) are graph inputs fed from their HostTensor; the ort.Tensor
 * wrapping each buffer is made once and reused, so no weight is copied per call.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly wrappers = new WeakMap<HostTensor, ort.Tensor>();
  compiled = 0;

  constructor(private readonly options: SessionManagerOptions = {}) {}

  /** A runnable graph; compiling (or finding the cached session) happens on first use. */
  async load(graph: Graph): Promise<CompiledGraph> {
    const key = graph.structureHash();
    let session = this.sessions.get(key);
    if (session) {
      this.sessions.delete(key); // re-insert: most recently used last
    } else {
      session = this.create(graph);
      session.catch(() => this.sessions.delete(key));
      this.compiled++;
    }
    this.sessions.set(key, session);
    await this.evict();
    return new CompiledGraph(graph, await session, this);
  }

  /** The cached ort.Tensor view of a host buffer (no copy). */
  wrap(tensor: Feed): ort.Tensor {
    if (isOrtTensor(tensor)) return tensor;
    let wrapped = this.wrappers.get(tensor);
    if (!wrapped) {
      wrapped = new ort.Tensor(tensor.dtype, tensor.data as never, tensor.shape);
      this.wrappers.set(tensor, wrapped);
    }
    return wrapped;
  }

  async close(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map(async (s) => (await s.catch(() => undefined))?.release()));
  }

  private create(graph: Graph): Promise<ort.InferenceSession> {
    const provider = this.options.provider ?? 'cpu';
    return ort.InferenceSession.create(serializeGraph(graph), {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: this.options.threads ?? defaultThreads(),
      interOpNumThreads: 1,
    });
  }

  private async evict(): Promise<void> {
    const max = this.options.maxSessions ?? 64;
    while (this.sessions.size > max) {
      const [oldest, session] = this.sessions.entries().next().value as [string, Promise<ort.InferenceSession>];
      this.sessions.delete(oldest);
      (await session.catch(() => undefined))?.release();
    }
  }
}

/** A graph bound to its compiled session. */
export class CompiledGraph {
  constructor(
    readonly graph: Graph,
    private readonly session: ort.InferenceSession,
    private readonly manager: SessionManager,
  ) {}

  /**
   * Runs the graph. `feeds` maps input names to data; params not in `feeds` are fed from the
   * data they were declared with. Returns every output by name.
   */
  async run(feeds: Record<string, Feed> = {}): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const input of this.graph.inputs) {
      const feed = feeds[input.name] ?? input.data;
      if (!feed) throw new Error(`no data for input ${input}`);
      checkFeed(input, feed);
      ortFeeds[input.name] = this.manager.wrap(feed);
    }
    for (const name of Object.keys(feeds)) {
      if (!this.graph.inputs.some((v) => v.name === name)) throw new Error(`'${name}' is not an input of graph '${this.graph.name}'`);
    }
    const results = await this.session.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const { name } of this.graph.outputs) {
      const t = results[name];
      out[name] = { dtype: t.type as DType, shape: [...t.dims], data: t.data as HostTensor['data'] };
    }
    return out;
  }
}

function checkFeed(input: Value, feed: Feed): void {
  const dims = isOrtTensor(feed) ? feed.dims : feed.shape;
  const dtype = isOrtTensor(feed) ? feed.type : feed.dtype;
  const ok = dtype === input.dtype && dims.length === input.rank && input.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
  if (!ok) throw new Error(`input ${input} fed ${dtype}[${dims.join(',')}]`);
}
