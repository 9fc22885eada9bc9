import type { KedTokenizer } from './tokenizer';

/** A probe: the model should continue `prompt` with `target` (joined by one space, KnowEdit style). */
export interface Probe {
  prompt: string;
  target: string;
}

/**
 * Token ids of prompt and target, split where the target starts. The target is tokenized in
 * context (prompt + " " + target) when the prompt's own tokens are a prefix of that, as with
 * byte-level BPE at a space; otherwise " " + target is tokenized alone.
 */
export function tokenizeProbe(tokenizer: KedTokenizer, probe: Probe): { prompt: number[]; target: number[] } {
  const prompt = tokenizer.encode(probe.prompt);
  const full = tokenizer.encode(`${probe.prompt} ${probe.target}`);
  const isPrefix = prompt.length < full.length && prompt.every((id, i) => full[i] === id);
  return { prompt, target: isPrefix ? full.slice(prompt.length) : tokenizer.encode(` ${probe.target}`, { addSpecialTokens: false }) };
}
