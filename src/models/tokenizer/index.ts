/** Tokenizers from a checkpoint's tokenizer.json, with chat templates. */
export { loadTokenizer } from './load-tokenizer';
export { KedTokenizer } from './tokenizer';
export type { DecodeOptions, EncodeOptions, TokenizerFiles } from './tokenizer';
export type { ChatMessage, ChatTemplateOptions } from './chat-template';
