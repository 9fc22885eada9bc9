/** What an editor is asked to do: make the model continue `prompt` with `target_new`. */
export interface EditRequest {
  subject?: string;
  prompt: string;
  target_new: string;
  /** The answer before the edit, when the dataset knows it (aliases flattened). */
  ground_truth?: string[];
  rephrase_prompt?: string;
}
