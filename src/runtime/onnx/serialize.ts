import { onnx } from 'onnx-proto';
import { ONNX_DTYPE, type HostTensor } from '../graph/dtype';
import { bytesOf, GraphBuildError, type AttrValue, type Graph, type Node, type Value } from '../graph/graph';
import { OP_DOMAINS, type OpType } from '../ops/specs';

export const OPSET = 17;
const IR_VERSION = 8;

/** Serialises a Graph to ONNX ModelProto bytes (what InferenceSession.create takes). */
export function serializeGraph(graph: Graph): Uint8Array {
  if (graph.outputs.length === 0) throw new GraphBuildError(`graph '${graph.name}' has no outputs`);
  const nodes = liveNodes(graph);
  const used = new Set<Value>([...nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.value)]);
  const domainOf = (node: Node) => OP_DOMAINS[node.opType as OpType] ?? '';
  const domains = [...new Set(nodes.map(domainOf).filter((d) => d !== ''))];
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'ked',
    opsetImport: [{ domain: '', version: OPSET }, ...domains.map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(({ value }) => valueInfo(value)),
      initializer: graph.initializers.filter((v) => used.has(v)).map((v) => tensorProto(v.name, v.data!)),
      node: nodes.map((node) => ({
        name: node.name,
        opType: node.opType,
        domain: domainOf(node),
        input: node.inputs.map((v) => v.name),
        output: node.outputs.map((v) => v.name),
        attribute: Object.entries(node.attrs).map(([name, value]) => attribute(name, value)),
      })),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The nodes some output depends on, in build order. onnxruntime runs every node it is given,
 * used or not, and builders leave dead branches (a forward stopped at a layer's MLP key still
 * builds that layer's output projection). Inputs stay declared, so callers' feeds stay valid.
 */
export function liveNodes(graph: Graph): Node[] {
  const live = new Set<Node>();
  const pending = graph.outputs.map((o) => o.value);
  for (let value = pending.pop(); value; value = pending.pop()) {
    const node = value.producer;
    if (!node || live.has(node)) continue;
    live.add(node);
    pending.push(...node.inputs);
  }
  return graph.nodes.filter((n) => live.has(n));
}

function valueInfo(value: Value): onnx.IValueInfoProto {
  return {
    name: value.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[value.dtype],
        shape: { dim: value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, tensor: HostTensor): onnx.ITensorProto {
  return { name, dims: tensor.shape, dataType: ONNX_DTYPE[tensor.dtype], rawData: bytesOf(tensor) };
}

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints };
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  if ('string' in value) return { name, type: T.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: T.TENSOR, t: tensorProto(name, value.tensor) };
}
