import type { GeneratedChoice, GeneratedToken } from './completions.service';

/** OpenAI's `usage`: prompt tokens once per prompt, completion tokens of every sequence generated. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** The legacy completions' `logprobs`: parallel arrays over the tokens (`text_offset` into the choice's text). */
export function completionLogprobs(tokens: readonly GeneratedToken[]) {
  return {
    tokens: tokens.map((t) => t.text),
    token_logprobs: tokens.map((t) => t.logprob ?? null),
    top_logprobs: tokens.map((t) => Object.fromEntries((t.top ?? []).map((alt) => [alt.text, alt.logprob]))),
    text_offset: tokens.map((t) => t.offset),
  };
}

/** Chat's `logprobs`: one entry per token, with its UTF-8 bytes and its alternatives. */
export function chatLogprobs(tokens: readonly GeneratedToken[]) {
  return {
    content: tokens.map((t) => ({
      token: t.text,
      logprob: t.logprob ?? null,
      bytes: [...Buffer.from(t.text, 'utf8')],
      top_logprobs: (t.top ?? []).map((alt) => ({ token: alt.text, logprob: alt.logprob, bytes: [...Buffer.from(alt.text, 'utf8')] })),
    })),
    refusal: null,
  };
}

/**
 * `best_of`: the `n` sequences with the highest mean log-probability per token (OpenAI's rule),
 * in the order they were generated.
 */
export function bestOf(choices: readonly GeneratedChoice[], n: number): GeneratedChoice[] {
  if (choices.length <= n) return [...choices];
  const score = (c: GeneratedChoice) => (c.tokens.length ? c.tokens.reduce((sum, t) => sum + (t.logprob ?? 0), 0) / c.tokens.length : -Infinity);
  const kept = new Set([...choices].sort((a, b) => score(b) - score(a)).slice(0, n));
  return choices.filter((c) => kept.has(c));
}
