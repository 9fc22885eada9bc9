/** Loads a KedTokenizer from a Hugging Face checkpoint directory (offline: local files only). */
import { promises as fs } from 'fs';
import { join } from 'path';
import { ChatTemplates, DEFAULT_TEMPLATE, parseChatTemplates } from './chat-template';
import { KedTokenizer } from './tokenizer';

async function readJsonIfPresent(path: string): Promise<Record<string, unknown> | undefined> {
  const text = await readIfPresent(path);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${path}: expected a JSON object`);
  return json as Record<string, unknown>;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads tokenizer.json (required), tokenizer_config.json and special_tokens_map.json, and the chat
 * template: chat_template.jinja (where transformers saves it since 4.47), else chat_template.json,
 * else tokenizer_config.json's "chat_template".
 */
export async function loadTokenizer(dir: string): Promise<KedTokenizer> {
  const tokenizerPath = join(dir, 'tokenizer.json');
  const tokenizer = await readJsonIfPresent(tokenizerPath);
  if (!tokenizer) {
    const hint = 'ked needs the fast-tokenizer file; a checkpoint with only tokenizer.model or vocab.json must be converted first';
    throw new Error(`${dir}: no tokenizer.json (${hint})`);
  }
  const configPath = join(dir, 'tokenizer_config.json');
  const config = (await readJsonIfPresent(configPath)) ?? {};
  const specialTokensMap = await readJsonIfPresent(join(dir, 'special_tokens_map.json'));
  const chatTemplates = await readChatTemplates(dir, config, configPath);
  return new KedTokenizer({ tokenizer, config, specialTokensMap, chatTemplates, source: dir });
}

async function readChatTemplates(dir: string, config: Record<string, unknown>, configPath: string): Promise<ChatTemplates> {
  const jinja = await readIfPresent(join(dir, 'chat_template.jinja'));
  if (jinja !== undefined) return new Map([[DEFAULT_TEMPLATE, jinja]]);
  const jsonPath = join(dir, 'chat_template.json');
  const json = await readJsonIfPresent(jsonPath);
  if (json) return parseChatTemplates(json.chat_template, jsonPath);
  return parseChatTemplates(config.chat_template, configPath);
}
