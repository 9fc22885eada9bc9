import type { KedTokenizer } from '../models/tokenizer';
import { tokenizeProbe } from './teacher-forcing';

/**
 * Token ids of probes with edit contexts before them, fitted to the model's context window: when
 * contexts, prompt and target do not fit, the oldest contexts are dropped (a sequential run with
 * thousands of ICE contexts keeps the most recent that fit, like a bounded memory).
 */
export class ProbeEncoder {
  private readonly contextTokens = new Map<string, number>();

  constructor(
    private readonly tokenizer: KedTokenizer,
    private readonly maxPositions: number,
  ) {}

  /**
   * Prompt and target tokens; the target is tokenized as after the bare prompt, so that pre- and
   * post-edit passes score the same target tokens whatever context precedes the prompt.
   */
  pair(contexts: readonly string[], prompt: string, target: string): { prompt: number[]; target: number[] } {
    const bare = tokenizeProbe(this.tokenizer, { prompt, target });
    const fitted = this.fit(contexts, bare.prompt.length + bare.target.length);
    let ids = fitted.length ? this.tokenizer.encode([...fitted, prompt].join(' ')) : bare.prompt;
    const overflow = ids.length + bare.target.length - this.maxPositions;
    if (overflow > 0) ids = ids.slice(overflow); // only a prompt longer than the window itself gets here
    return { prompt: ids, target: bare.target };
  }

  /** Prompt tokens for generation, leaving `room` positions for new tokens. */
  generationPrompt(contexts: readonly string[], prompt: string, room: number): number[] {
    const bare = this.tokenizer.encode(prompt);
    const fitted = this.fit(contexts, bare.length + room);
    return fitted.length ? this.tokenizer.encode([...fitted, prompt].join(' ')) : bare;
  }

  promptLength(prompt: string): number {
    return this.tokenizer.encode(prompt).length;
  }

  /** The newest contexts whose tokens (plus a joining space each) fit beside `used` positions. */
  private fit(contexts: readonly string[], used: number): string[] {
    let budget = this.maxPositions - used - 2; // slack: joining can merge or split a token at the seams
    let first = contexts.length;
    while (first > 0) {
      const cost = this.tokensOf(contexts[first - 1]) + 1;
      if (cost > budget) break;
      budget -= cost;
      first--;
    }
    return contexts.slice(first);
  }

  private tokensOf(text: string): number {
    let n = this.contextTokens.get(text);
    if (n === undefined) {
      n = this.tokenizer.encode(text, { addSpecialTokens: false }).length;
      this.contextTokens.set(text, n);
    }
    return n;
  }
}
