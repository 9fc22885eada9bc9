import { createHash } from 'node:crypto';
import type { DType, HostTensor } from './dtype';
import { formatShape, type Dim, type Shape } from './shape';
import { OP_SPECS, type OpType } from '../ops/specs';

export type AttrValue =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { string: string }
  | { tensor: HostTensor };

export type Attrs = Record<string, AttrValue>;

/** How a value enters the graph: fed per call, a trainable/routed weight fed as an input, a frozen initializer, or computed. */
export type ValueKind = 'input' | 'param' | 'initializer' | 'node';

/** A symbolic tensor: a name, an element type and a build-time shape. */
export class Value {
  /** The node that computes it (kind 'node'). */
  producer?: Node;
  /** Host data for params and initializers (and small constants the builder can fold). */
  data?: HostTensor;
  /** Known contents of a small int64 vector computed from shapes (Shape, Gather, Concat of those). */
  known?: Dim[];

  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Dim[],
    readonly kind: ValueKind,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `'${this.name}' ${this.dtype}${formatShape(this.shape)}`;
  }
}

export interface Node {
  name: string;
  opType: OpType;
  inputs: Value[];
  outputs: Value[];
  attrs: Attrs;
}

/** A graph that cannot be built; the message names the node and the shapes involved. */
export class GraphBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphBuildError';
  }
}

/** What an op spec reports about one output. */
export interface OutputType {
  dtype: DType;
  shape: Dim[];
}

/**
 * Builds an ONNX graph node by node. Shapes are inferred as nodes are added, so a bad graph
 * fails here with the node's name, never later inside onnxruntime.
 */
export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly initializers: Value[] = [];
  readonly outputs: Array<{ name: string; value: Value }> = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly scopes: string[] = [];
  private readonly constants = new Map<string, Value>();

  constructor(readonly name = 'ked') {}

  /** A per-call input, e.g. token ids with shape ['batch', 'seq']. */
  input(name: string, dtype: DType, shape: Dim[]): Value {
    const value = new Value(this, this.claim(name), dtype, [...shape], 'input');
    this.inputs.push(value);
    return value;
  }

  /**
   * A weight. Frozen weights become initializers (baked into the session); trainable or routed
   * ones stay graph inputs that the session feeds from `data` without copying it per call.
   */
  weight(name: string, data: HostTensor, options: { frozen: boolean }): Value {
    const kind: ValueKind = options.frozen ? 'initializer' : 'param';
    const value = new Value(this, this.claim(name), data.dtype, [...data.shape], kind);
    value.data = data;
    (options.frozen ? this.initializers : this.inputs).push(value);
    return value;
  }

  /** A constant tensor (deduplicated by content). */
  constant(data: HostTensor, hint = 'const'): Value {
    const key = `${data.dtype}|${data.shape.join(',')}|${createHash('sha1').update(bytesOf(data)).digest('hex')}`;
    const existing = this.constants.get(key);
    if (existing) return existing;
    const value = new Value(this, this.claim(this.qualify(`${hint}_${this.next(hint)}`)), data.dtype, [...data.shape], 'initializer');
    value.data = data;
    this.initializers.push(value);
    this.constants.set(key, value);
    return value;
  }

  /** Marks a value as a graph output under `name` (defaults to the value's own name). */
  output(value: Value, name = value.name): void {
    this.own(value, 'output');
    if (this.outputs.some((o) => o.name === name)) throw new GraphBuildError(`output '${name}' is declared twice`);
    const needsIdentity = value.kind !== 'node' || name !== value.name || this.outputs.some((o) => o.value === value);
    const exported = needsIdentity ? this.apply('Identity', [value], {}, { outputName: name })[0] : value;
    this.outputs.push({ name, value: exported });
  }

  /** Runs `build` with node names prefixed by `scope/`, for readable graphs. */
  scope<T>(scope: string, build: () => T): T {
    this.scopes.push(scope);
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** Adds one node after checking its op, arity and input types, and infers its outputs. */
  apply(opType: string, inputs: Value[], attrs: Attrs = {}, options: { outputName?: string } = {}): Value[] {
    const spec = OP_SPECS[opType as OpType];
    const nodeName = this.claim(this.qualify(`${opType}_${this.next(opType)}`));
    if (!spec) throw new GraphBuildError(`node '${nodeName}': unknown op '${opType}'`);
    for (const input of inputs) this.own(input, `node '${nodeName}'`);
    const [min, max] = spec.arity;
    if (inputs.length < min || inputs.length > max) {
      throw new GraphBuildError(`node '${nodeName}' (${opType}) takes ${min === max ? min : `${min}..${max}`} inputs, got ${inputs.length}`);
    }
    let types: OutputType[];
    try {
      types = spec.infer(inputs, attrs);
    } catch (err) {
      const shapes = inputs.map((v) => `${v.name}: ${v.dtype}${formatShape(v.shape)}`).join(', ');
      throw new GraphBuildError(`node '${nodeName}' (${opType}): ${(err as Error).message} (inputs ${shapes})`);
    }
    const node: Node = { name: nodeName, opType: opType as OpType, inputs, outputs: [], attrs };
    node.outputs = types.map((t, i) => {
      const outName = i === 0 && options.outputName ? this.claim(options.outputName) : this.claim(`${nodeName}:${i}`);
      const value = new Value(this, outName, t.dtype, t.shape, 'node');
      value.producer = node;
      return value;
    });
    const known = propagateKnown(node);
    if (known) node.outputs[0].known = known;
    this.nodes.push(node);
    return node.outputs;
  }

  /** Content hash of the graph structure and frozen data (not of params, which are fed per call). */
  structureHash(): string {
    const hash = createHash('sha256');
    for (const v of this.inputs) hash.update(`in ${v.name} ${v.dtype} ${v.shape.join(',')}\n`);
    for (const v of this.initializers) hash.update(`init ${v.name} `).update(bytesOf(v.data!)).update('\n');
    for (const n of this.nodes) {
      hash.update(`${n.opType} ${n.name} (${n.inputs.map((v) => v.name)}) -> (${n.outputs.map((v) => v.name)}) ${JSON.stringify(n.attrs, attrReplacer)}\n`);
    }
    for (const o of this.outputs) hash.update(`out ${o.name} ${o.value.name}\n`);
    return hash.digest('hex');
  }

  private own(value: Value, where: string): void {
    if (value.graph !== this) throw new GraphBuildError(`${where}: value ${value} belongs to graph '${value.graph.name}', not '${this.name}'`);
  }

  private qualify(name: string): string {
    return this.scopes.length ? `${this.scopes.join('/')}/${name}` : name;
  }

  private next(key: string): number {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return n;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new GraphBuildError(`the name '${name}' is already used in graph '${this.name}'`);
    this.names.add(name);
    return name;
  }
}

/** Follows shape arithmetic at build time so that Reshape/Expand targets built from Shape() stay inferable. */
function propagateKnown(node: Node): Dim[] | undefined {
  const contents = (v: Value | undefined): Dim[] | undefined =>
    v?.known ?? (v?.data && v.dtype === 'int64' ? Array.from(v.data.data as BigInt64Array, Number) : undefined);
  const [a, b] = node.inputs;
  switch (node.opType) {
    case 'Shape':
      return [...a.shape];
    case 'Identity':
    case 'Cast':
    case 'Squeeze':
    case 'Unsqueeze':
      return node.outputs[0].dtype === 'int64' ? contents(a) : undefined;
    case 'Gather': {
      const data = contents(a);
      const indices = contents(b);
      return data && indices && a.rank === 1 ? indices.map((i) => data[Number(i) < 0 ? Number(i) + data.length : Number(i)]) : undefined;
    }
    case 'Concat': {
      const parts = node.inputs.map(contents);
      return parts.every((p) => p !== undefined) && node.inputs.every((v) => v.rank === 1) ? parts.flat() as Dim[] : undefined;
    }
    default:
      return undefined;
  }
}

export function bytesOf(tensor: HostTensor): Uint8Array {
  return new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
}

function attrReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, String);
  return value;
}

export type { Dim, Shape };
