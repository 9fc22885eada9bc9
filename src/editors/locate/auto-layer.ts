import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';
import type { EditRequest } from '../edit-request';
import { causalTrace, decisiveLayer } from './causal-trace';

/**
 * `"layer": "auto"`: traces the request's own prompt (its current answer: the first ground truth
 * when the dataset gives one, else the model's argmax) and picks the layer whose MLP output at the
 * subject's last token restores the most of it (ROME's choice, made per edit).
 */
export async function chooseLayer(model: LanguageModel, tokenizer: KedTokenizer, request: EditRequest): Promise<number> {
  const trace = await causalTrace(model, tokenizer, request.prompt, request.subject!, request.ground_truth?.[0], { kind: 'mlp', samples: 3, noise: 3, seed: 1 });
  return decisiveLayer(trace);
}
