import type { LanguageModel } from '../../models/language-model';
import type { KedTokenizer } from '../../models/tokenizer';

export interface ContextTemplateOptions {
  /** Generated prefixes besides the bare "{}" (ROME: 5 of 10 tokens, sampled from the model). */
  count: number;
  tokens: number;
  seed: number;
}

const SEEDS = ['The', 'Therefore', 'Because', 'I', 'You'];
const cache = new WeakMap<LanguageModel, Map<string, Promise<string[]>>>();

/**
 * ROME's context templates: "{}" plus short texts the model itself writes after a few common
 * words, each ending ". {}". Keys and value targets averaged over them describe the subject in
 * varied contexts instead of one prompt. Sampled with a fixed seed and cached per model, so a
 * method's edits are reproducible.
 */
export function contextTemplates(model: LanguageModel, tokenizer: KedTokenizer, options: ContextTemplateOptions): Promise<string[]> {
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  const key = JSON.stringify(options);
  let templates = perModel.get(key);
  if (!templates) {
    templates = generate(model, tokenizer, options);
    perModel.set(key, templates);
  }
  return templates;
}

async function generate(model: LanguageModel, tokenizer: KedTokenizer, { count, tokens, seed }: ContextTemplateOptions): Promise<string[]> {
  if (count === 0) return ['{}'];
  const starts = Array.from({ length: count }, (_, i) => SEEDS[i % SEEDS.length]);
  const prompts = starts.map((s) => tokenizer.encode(s));
  const generated = await model.generate(prompts, { maxNewTokens: tokens, temperature: 1, topP: 0.9, seed }, undefined);
  const texts = generated.map((ids, i) => {
    const text = `${starts[i]}${tokenizer.decode(ids.filter((id) => id < tokenizer.vocabSize), { skipSpecialTokens: true })}`;
    // Braces would become format slots; newlines would end the context early.
    return `${text.replace(/[{}]/g, ' ').replace(/\s+/g, ' ').trim().replace(/[.!?]+$/, '')}. {}`;
  });
  return ['{}', ...texts];
}

/** A template filled with a prompt. */
export const fillTemplate = (template: string, prompt: string): string => template.replace('{}', prompt);
