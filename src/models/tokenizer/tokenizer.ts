/**
 * A model's tokenizer, from the tokenizer.json (+ tokenizer_config.json) of a Hugging Face
 * checkpoint, run by @huggingface/tokenizers (a pure-JS port of the Rust `tokenizers` pipeline:
 * byte-level BPE as in GPT-2, SentencePiece-style BPE with byte fallback as in Llama, and others).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { ChatMessage, ChatTemplateOptions, ChatTemplateRenderer, ChatTemplates } from './chat-template';
import { llamaPostProcessor, SpecialTokenKey, specialTokens } from './special-tokens';

export interface EncodeOptions {
  /** Add the model's special tokens (Llama's <s>), as transformers does by default (default true). */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Leave special tokens (<s>, </s>, <|endoftext|>, ...) out of the text (default false). */
  skipSpecialTokens?: boolean;
}

export interface TokenizerFiles {
  /** tokenizer.json, parsed. */
  tokenizer: Record<string, unknown>;
  /** tokenizer_config.json, parsed ({} when absent). */
  config?: Record<string, unknown>;
  /** special_tokens_map.json, parsed: older checkpoints name special tokens only there. */
  specialTokensMap?: Record<string, unknown>;
  chatTemplates?: ChatTemplates;
  /** Where the files came from, for errors. */
  source: string;
}

export class KedTokenizer {
  /** Ids run from 0 to vocabSize - 1, added tokens included (the model's embedding may be larger). */
  readonly vocabSize: number;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly unkTokenId: number | undefined;
  /** Special token strings by their tokenizer_config.json key (bos_token, eos_token, ...). */
  readonly specialTokens: Partial<Record<SpecialTokenKey, string>>;
  private readonly tokenizer: Tokenizer;
  private readonly chat: ChatTemplateRenderer;

  constructor(files: TokenizerFiles) {
    const config = files.config ?? {};
    const tokenizerJson = withPostProcessor(files.tokenizer, config);
    // transformers no longer "cleans up" spaces before punctuation unless the config asks; the library's default differs.
    const libraryConfig = { ...config, clean_up_tokenization_spaces: config.clean_up_tokenization_spaces === true };
    try {
      this.tokenizer = new Tokenizer(tokenizerJson, libraryConfig);
    } catch (error) {
      throw new Error(`${files.source}: cannot build the tokenizer: ${(error as Error).message}`);
    }
    this.specialTokens = specialTokens(config, files.specialTokensMap);
    const idOf = (key: SpecialTokenKey) => {
      const token = this.specialTokens[key];
      return token === undefined ? undefined : this.tokenizer.token_to_id(token);
    };
    this.bosTokenId = idOf('bos_token');
    this.eosTokenId = idOf('eos_token');
    this.padTokenId = idOf('pad_token');
    this.unkTokenId = idOf('unk_token');
    this.vocabSize = Math.max(-1, ...this.tokenizer.get_vocab(true).values()) + 1;
    this.chat = new ChatTemplateRenderer(files.chatTemplates ?? new Map(), this.specialTokens as Record<string, string>, files.source);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  /** The token strings encode() would produce ids for (without special tokens). */
  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text);
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new Error(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    return this.tokenizer.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** The template source, e.g. to show or store it; throws when there is none. */
  chatTemplate(name?: string): string {
    return this.chat.template(name);
  }

  /** The conversation as the model's prompt text; throws, naming the files, when the model has no chat template. */
  applyChatTemplate(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    return this.chat.render(messages, options);
  }

  /** The conversation's token ids; the template writes any special tokens itself, so none are added (as transformers does). */
  encodeChat(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): number[] {
    return this.encode(this.applyChatTemplate(messages, options), { addSpecialTokens: false });
  }
}

/** tokenizer.json with the post-processor transformers would rebuild for Llama-family tokenizers. */
function withPostProcessor(tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const idOf = (token: string): number | undefined => {
    const added = (tokenizerJson.added_tokens as Array<{ id: number; content: string }> | undefined)?.find((t) => t.content === token);
    const vocab = (tokenizerJson.model as { vocab?: unknown } | undefined)?.vocab;
    const inVocab = vocab && !Array.isArray(vocab) ? (vocab as Record<string, number>)[token] : undefined;
    return added?.id ?? inVocab;
  };
  const postProcessor = llamaPostProcessor(config, idOf);
  return postProcessor ? { ...tokenizerJson, post_processor: postProcessor } : tokenizerJson;
}
