import type { KedTokenizer } from '../../models/tokenizer';
import { checkRequest, UnsupportedRequestError, type EditRequest } from '../edit-request';

/** Checks what every locate-and-edit method needs: a subject that occurs in the prompt, a target. */
export function checkLocatableRequests(method: string, requests: readonly EditRequest[]): void {
  requests.forEach((r, i) => {
    checkRequest(method, r, i);
    if (!r.subject?.trim()) throw new UnsupportedRequestError(method, i, 'it names no subject (locate-and-edit methods edit the subject\'s key)');
    if (!r.prompt.includes(r.subject)) throw new UnsupportedRequestError(method, i, `the subject "${r.subject}" does not occur in the prompt "${r.prompt}"`);
  });
}

/**
 * An edit stored at the subject's last token after `layer` reaches the answer only through later
 * layers' attention, so the model's last layer cannot carry one unless the subject ends the
 * prompt (on the fixture, ROME at its last layer left every answer as it was).
 */
export function checkReachableLayer(method: string, tokenizer: KedTokenizer, requests: readonly EditRequest[], layer: number, modelLayers: number): void {
  if (layer !== modelLayers - 1) return; // a layer past the last is reported as missing elsewhere
  requests.forEach((r, i) => {
    const { ids, index } = subjectLastToken(tokenizer, r.prompt, r.subject!);
    if (index < ids.length - 1) {
      throw new UnsupportedRequestError(method, i, `layer ${layer} is the model's last: no later layer reads the subject's state there, so the edit could not change the answer (edit an earlier layer)`);
    }
  });
}

/**
 * The token ids of `text` and the index of the subject's last token in them (ROME's
 * "subject_last" lookup): the length of the tokenized text up to the end of the subject's last
 * occurrence, minus one, as ROME computes it.
 */
export function subjectLastToken(tokenizer: KedTokenizer, text: string, subject: string): { ids: number[]; index: number } {
  const at = text.lastIndexOf(subject);
  if (at < 0) throw new Error(`the subject "${subject}" does not occur in "${text}"`);
  const ids = tokenizer.encode(text);
  const prefix = tokenizer.encode(text.slice(0, at + subject.length));
  return { ids, index: Math.min(prefix.length, ids.length) - 1 };
}
