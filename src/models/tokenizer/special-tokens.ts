/**
 * Special tokens as transformers reads them from tokenizer_config.json (or the older
 * special_tokens_map.json): each a string or an AddedToken object {"content": ...}.
 */

export const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token'] as const;
export type SpecialTokenKey = (typeof SPECIAL_TOKEN_KEYS)[number];

/** The token's text: "<s>" for both "<s>" and {"content": "<s>", ...}; undefined for null or absent. */
export function specialTokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** Special token strings by key, tokenizer_config.json's entries taking precedence over special_tokens_map.json's. */
export function specialTokens(
  tokenizerConfig: Record<string, unknown>,
  specialTokensMap: Record<string, unknown> = {},
): Partial<Record<SpecialTokenKey, string>> {
  const tokens: Partial<Record<SpecialTokenKey, string>> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const text = specialTokenText(tokenizerConfig[key]) ?? specialTokenText(specialTokensMap[key]);
    if (text !== undefined) tokens[key] = text;
  }
  return tokens;
}

const LLAMA_CLASSES = new Set(['LlamaTokenizer', 'LlamaTokenizerFast', 'CodeLlamaTokenizer', 'CodeLlamaTokenizerFast', 'GemmaTokenizer', 'GemmaTokenizerFast']);

/**
 * transformers' Llama-family fast tokenizers rebuild tokenizer.json's post-processor from
 * tokenizer_config.json's add_bos_token (default true) / add_eos_token (default false) when they
 * load, so those flags, not the file's template, decide whether <s> and </s> are added.
 * Returns the post-processor to use, or undefined to keep the file's.
 */
export function llamaPostProcessor(tokenizerConfig: Record<string, unknown>, idOf: (token: string) => number | undefined): object | undefined {
  if (!LLAMA_CLASSES.has(String(tokenizerConfig.tokenizer_class))) return undefined;
  if (tokenizerConfig.add_bos_token === undefined && tokenizerConfig.add_eos_token === undefined) return undefined;
  const bos = tokenizerConfig.add_bos_token !== false ? specialTokenText(tokenizerConfig.bos_token) : undefined;
  const eos = tokenizerConfig.add_eos_token === true ? specialTokenText(tokenizerConfig.eos_token) : undefined;
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => [
    ...(bos ? [special(bos, typeId)] : []),
    { Sequence: { id, type_id: typeId } },
    ...(eos ? [special(eos, typeId)] : []),
  ];
  return {
    type: 'TemplateProcessing',
    single: sequence('A', 0),
    pair: [...sequence('A', 0), ...sequence('B', 1)],
    special_tokens: Object.fromEntries(
      [bos, eos]
        .filter((token): token is string => token !== undefined)
        .map((token) => {
          const id = idOf(token);
          if (id === undefined) throw new Error(`tokenizer_config.json: special token ${JSON.stringify(token)} is not in the vocabulary`);
          return [token, { id: token, ids: [id], tokens: [token] }];
        }),
    ),
  };
}
