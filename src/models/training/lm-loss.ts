import { grad } from '../../runtime/autodiff/grad';
import { Graph, type Value } from '../../runtime/graph/graph';
import * as op from '../../runtime/ops';
import type { LanguageModel } from '../language-model';
import type { ForwardOptions } from '../graph/forward-options';

/**
 * The next-token cross-entropy graph: mean over unmasked positions of -log p(target), with the
 * gradient of every weight (or of the ones `trainable` names). Outputs `loss` and `grad.<name>`.
 * With `forward.lora`, the LoRA factors are inputs `lora.<module>.A|B` and their gradients are
 * outputs too (`grad.lora.<module>.A|B`).
 */
export function buildLanguageModelingLoss(model: LanguageModel, options: { trainable?: string[]; forward?: ForwardOptions } = {}): { graph: Graph; gradNames: Map<string, string> } {
  const forward = model.buildForward({ ...options.forward, logits: 'all' }, new Graph(`${model.config.modelType}_lm_loss`));
  const g = forward.graph;
  const targets = g.input('targets', 'int64', ['batch', 'seq']);
  const lossMask = g.input('loss_mask', 'float32', ['batch', 'seq']);
  const logProbs = op.logSoftmax(forward.logits!, -1);
  const targetLogProbs = op.squeeze(op.gatherElements(logProbs, op.unsqueeze(targets, [2]), 2), [2]); // [batch, seq]
  const total = op.reduceSum(op.mul(targetLogProbs, lossMask));
  const count = op.maximum(op.reduceSum(lossMask), 1);
  const loss = op.neg(op.div(total, count));
  g.output(loss, 'loss');
  const names = [...(options.trainable ?? forward.weights.keys())];
  const wrt: Value[] = names.map((n) => {
    const w = forward.weights.get(n);
    if (!w) throw new Error(`no weight '${n}' in the forward graph`);
    return w;
  });
  for (const [module, { a, b }] of forward.loraFactors) {
    names.push(`lora.${module}.A`, `lora.${module}.B`);
    wrt.push(a, b);
  }
  const gradNames = new Map<string, string>();
  grad(loss, wrt).forEach((gv, i) => {
    g.output(gv, `grad.${names[i]}`);
    gradNames.set(names[i], `grad.${names[i]}`);
  });
  return { graph: g, gradNames };
}
