/**
 * Chat templates: the Jinja template a chat model ships (tokenizer_config.json's "chat_template",
 * or chat_template.jinja beside it) rendered with @huggingface/jinja and the same variables
 * transformers passes: messages, add_generation_prompt, the special tokens, and any extras.
 */
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
  /** Templates may read other fields (tool_calls, name, ...). */
  [field: string]: unknown;
}

export interface ChatTemplateOptions {
  /** End with the assistant's turn opened, for generating a reply (default false). */
  addGenerationPrompt?: boolean;
  /** Which named template, when the tokenizer has several (default "default"). */
  templateName?: string;
  /** More template variables (tools, documents, enable_thinking, ...). */
  variables?: Record<string, unknown>;
}

/** A tokenizer's chat templates: one unnamed, or several by name (the list form of tokenizer_config.json). */
export type ChatTemplates = Map<string, string>;

export const DEFAULT_TEMPLATE = 'default';

/** Reads tokenizer_config.json's "chat_template": a string, or [{name, template}, ...]. */
export function parseChatTemplates(value: unknown, source: string): ChatTemplates {
  const templates: ChatTemplates = new Map();
  if (value === undefined || value === null) return templates;
  if (typeof value === 'string') return templates.set(DEFAULT_TEMPLATE, value);
  if (Array.isArray(value)) {
    for (const entry of value) {
      const { name, template } = (entry ?? {}) as { name?: unknown; template?: unknown };
      if (typeof name !== 'string' || typeof template !== 'string') {
        throw new Error(`${source}: "chat_template" entries must be {"name": string, "template": string}`);
      }
      templates.set(name, template);
    }
    return templates;
  }
  throw new Error(`${source}: "chat_template" must be a string or a list of {name, template} (got ${typeof value})`);
}

export class ChatTemplateRenderer {
  private readonly compiled = new Map<string, Template>();

  constructor(
    private readonly templates: ChatTemplates,
    /** Special tokens by variable name (bos_token: "<s>", ...), as transformers passes them. */
    private readonly specialTokens: Record<string, string>,
    /** Where the tokenizer came from, for errors. */
    private readonly source: string,
  ) {}

  get names(): string[] {
    return [...this.templates.keys()];
  }

  template(name = DEFAULT_TEMPLATE): string {
    const template = this.templates.get(name);
    if (template !== undefined) return template;
    if (this.templates.size === 0) {
      throw new Error(
        `${this.source}: this tokenizer has no chat template (no "chat_template" in tokenizer_config.json and no chat_template.jinja); ` +
          'base models are not chat models: encode plain text instead',
      );
    }
    throw new Error(`${this.source}: no chat template named ${JSON.stringify(name)} (it has ${this.names.map((n) => JSON.stringify(n)).join(', ')})`);
  }

  render(messages: readonly ChatMessage[], options: ChatTemplateOptions = {}): string {
    const name = options.templateName ?? DEFAULT_TEMPLATE;
    let compiled = this.compiled.get(name);
    if (!compiled) {
      try {
        compiled = new Template(this.template(name));
      } catch (error) {
        if ((error as Error).message.startsWith(this.source)) throw error;
        throw new Error(`${this.source}: chat template ${JSON.stringify(name)} does not parse: ${(error as Error).message}`);
      }
      this.compiled.set(name, compiled);
    }
    try {
      return compiled.render({ ...this.specialTokens, ...options.variables, messages, add_generation_prompt: options.addGenerationPrompt ?? false });
    } catch (error) {
      throw new Error(`${this.source}: chat template ${JSON.stringify(name)} failed: ${(error as Error).message}`);
    }
  }
}
