/** What an editor is asked to do: make the model continue `prompt` with `target_new`. */
export interface EditRequest {
  subject?: string;
  prompt: string;
  target_new: string;
  /** The answer before the edit, when the dataset knows it (aliases flattened). */
  ground_truth?: string[];
  rephrase_prompt?: string;
}

/** A request a method cannot do, with the reason in words ("rome: request 2: prompt is empty"). */
export class UnsupportedRequestError extends Error {
  constructor(method: string, index: number, reason: string) {
    super(`${method}: request ${index}: ${reason}`);
    this.name = 'UnsupportedRequestError';
  }
}

/** Checks what every method needs of a request: a prompt to continue and a target to continue it with. */
export function checkRequest(method: string, request: EditRequest, index: number): void {
  if (!request.target_new.trim()) throw new UnsupportedRequestError(method, index, 'target_new is empty');
  if (!request.prompt.trim()) throw new UnsupportedRequestError(method, index, 'prompt is empty');
}

export function checkRequests(method: string, requests: readonly EditRequest[]): void {
  requests.forEach((r, i) => checkRequest(method, r, i));
}
