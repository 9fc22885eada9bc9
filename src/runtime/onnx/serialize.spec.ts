import { onnx } from 'onnx-proto';
import { hostTensor } from '../graph/dtype';
import { Graph } from '../graph/graph';
import * as op from '../ops';
import { SessionManager } from '../session/session-manager';
import { liveNodes, serializeGraph } from './serialize';

/** y = x + 1, and a dead branch (a MatMul with a frozen weight) that reaches no output. */
function graphWithDeadBranch(): Graph {
  const g = new Graph('dead_branch');
  const x = g.input('x', 'float32', [2, 2]);
  const unusedFeed = g.input('unused', 'float32', [2]);
  const deadWeight = g.weight('dead_w', hostTensor('float32', [2, 2], [1, 2, 3, 4]), { frozen: true });
  op.relu(op.add(op.matmul(x, deadWeight), unusedFeed));
  g.output(op.add(x, 1), 'y');
  return g;
}

describe('serializeGraph', () => {
  it('leaves out nodes and initializers no output depends on, and keeps every declared input', () => {
    const g = graphWithDeadBranch();
    expect(liveNodes(g).map((n) => n.opType)).toEqual(['Add', 'Identity']); // Identity names the output
    const model = onnx.ModelProto.decode(serializeGraph(g));
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Add', 'Identity']); // the output's rename
    expect(model.graph!.initializer!.map((t) => t.name)).not.toContain('dead_w'); // the constant 1 stays
    expect(model.graph!.input!.map((i) => i.name)).toEqual(['x', 'unused']);
  });

  it('runs the pruned graph with the same feeds and the same result', async () => {
    const manager = new SessionManager({ threads: 1 });
    try {
      const compiled = await manager.load(graphWithDeadBranch());
      const out = await compiled.run({ x: hostTensor('float32', [2, 2], [1, 2, 3, 4]), unused: hostTensor('float32', [2], [0, 0]) });
      expect(Array.from(out.y.data as Float32Array)).toEqual([2, 3, 4, 5]);
    } finally {
      await manager.close();
    }
  });
});
