import { rightPadded, type LanguageModel } from '../../models/language-model';
import { tapName, type TapRequest } from '../../models/graph/forward-options';
import type { KedTokenizer } from '../../models/tokenizer';
import { fillTemplate } from './context-templates';
import { subjectLastToken } from './subject-token';

/** A text and the subject in it whose last token is read. */
export interface SubjectText {
  text: string;
  subject: string;
}

/**
 * Hidden states (taps) at the subject's last token of each text, batched: result[i][t] is tap t
 * of text i. Edits already committed into the weights are seen; routed ones are not.
 */
export async function subjectStates(model: LanguageModel, tokenizer: KedTokenizer, texts: readonly SubjectText[], taps: readonly TapRequest[], batchSize = 32): Promise<Float32Array[][]> {
  const { compiled } = await model.forward({ logits: 'none', taps: [...taps] });
  const out: Float32Array[][] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const chunk = texts.slice(start, start + batchSize).map((t) => subjectLastToken(tokenizer, t.text, t.subject));
    const result = await compiled.run(rightPadded(chunk.map((c) => c.ids)).feeds);
    chunk.forEach((c, b) => {
      out.push(
        taps.map((tap) => {
          const t = result[tapName(tap)];
          const [, seq, width] = t.shape;
          const offset = (b * seq + c.index) * width;
          return (t.data as Float32Array).slice(offset, offset + width);
        }),
      );
    });
  }
  return out;
}

/**
 * ROME's key k*: the MLP key at the subject's last token averaged over the context templates
 * filled with the prompt (compute_u / compute_ks). One vector per request, d_ff wide.
 */
export async function averagedKeys(model: LanguageModel, tokenizer: KedTokenizer, requests: ReadonlyArray<{ prompt: string; subject: string }>, templates: readonly string[], layer: number): Promise<Float32Array[]> {
  return (await averagedKeysAt(model, tokenizer, requests, templates, [layer])).get(layer)!;
}

/** `averagedKeys` at several layers from one forward pass (each layer's keys alone would run the layers below it again). */
export async function averagedKeysAt(model: LanguageModel, tokenizer: KedTokenizer, requests: ReadonlyArray<{ prompt: string; subject: string }>, templates: readonly string[], layers: readonly number[]): Promise<Map<number, Float32Array[]>> {
  const texts = requests.flatMap((r) => templates.map((t) => ({ text: fillTemplate(t, r.prompt), subject: r.subject })));
  const states = await subjectStates(model, tokenizer, texts, layers.map((layer) => ({ kind: 'mlp.key' as const, layer })));
  return new Map(
    layers.map((layer, tap) => [
      layer,
      requests.map((_, i) => {
        const mean = new Float32Array(model.config.dFF);
        for (let t = 0; t < templates.length; t++) {
          const k = states[i * templates.length + t][tap];
          for (let j = 0; j < mean.length; j++) mean[j] += k[j] / templates.length;
        }
        return mean;
      }),
    ]),
  );
}
