import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChatMessage, ChatTemplateRenderer, parseChatTemplates } from './chat-template';
import { loadTokenizer } from './load-tokenizer';

const BYTE_LEVEL = join(__dirname, 'fixtures', 'byte-level-bpe');
const SENTENCEPIECE = join(__dirname, 'fixtures', 'sentencepiece-bpe');

const CONVERSATION: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Capital of France?' },
];

describe('applyChatTemplate', () => {
  it("renders the model's template with its special tokens", async () => {
    const tokenizer = await loadTokenizer(SENTENCEPIECE);
    expect(tokenizer.applyChatTemplate(CONVERSATION)).toBe('<|system|>\nYou are terse.</s>\n<|user|>\nCapital of France?</s>\n');
    expect(tokenizer.applyChatTemplate(CONVERSATION, { addGenerationPrompt: true })).toBe(
      '<|system|>\nYou are terse.</s>\n<|user|>\nCapital of France?</s>\n<|assistant|>\n',
    );
  });

  it('encodes the conversation without adding <s> (the template owns special tokens)', async () => {
    const tokenizer = await loadTokenizer(SENTENCEPIECE);
    const ids = tokenizer.encodeChat(CONVERSATION, { addGenerationPrompt: true });
    expect(ids[0]).toBe(tokenizer.tokenToId('<|system|>'));
    expect(ids.filter((id) => id === tokenizer.eosTokenId)).toHaveLength(2);
    // Llama-style normalizers put "▁" at the start of the text after each special token (transformers' legacy behaviour).
    expect(ids.slice(-3)).toEqual(['<|assistant|>', '▁', '<0x0A>'].map((t) => tokenizer.tokenToId(t)));
    expect(tokenizer.decode(ids)).toBe('<|system|> \nYou are terse.</s> \n<|user|> \nCapital of France?</s> \n<|assistant|> \n');
  });

  it("surfaces the template's own errors (raise_exception)", async () => {
    const tokenizer = await loadTokenizer(SENTENCEPIECE);
    expect(() => tokenizer.applyChatTemplate([{ role: 'tool', content: '42' }])).toThrow(`${SENTENCEPIECE}: chat template "default" failed: Unknown role: tool`);
  });

  it('says clearly when a model has no chat template', async () => {
    const tokenizer = await loadTokenizer(BYTE_LEVEL);
    expect(() => tokenizer.applyChatTemplate(CONVERSATION)).toThrow(`${BYTE_LEVEL}: this tokenizer has no chat template`);
  });

  it('prefers chat_template.jinja, where newer transformers saves the template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ked-tokenizer-'));
    try {
      for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(SENTENCEPIECE, file), join(dir, file));
      writeFileSync(join(dir, 'chat_template.jinja'), '{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}');
      const tokenizer = await loadTokenizer(dir);
      expect(tokenizer.applyChatTemplate(CONVERSATION)).toBe('<s>[system] You are terse.\n[user] Capital of France?\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ChatTemplateRenderer', () => {
  const templates = parseChatTemplates(
    [
      { name: 'default', template: '{{ messages[0].content }}{% if add_generation_prompt %}>{% endif %}' },
      { name: 'tool_use', template: '{{ tools | length }} tools: {{ messages | length }} messages' },
    ],
    'tokenizer_config.json',
  );
  const renderer = new ChatTemplateRenderer(templates, { eos_token: '</s>' }, 'model');

  it('picks named templates and passes extra variables', () => {
    expect(renderer.names).toEqual(['default', 'tool_use']);
    expect(renderer.render([{ role: 'user', content: 'hi' }], { addGenerationPrompt: true })).toBe('hi>');
    expect(renderer.render(CONVERSATION, { templateName: 'tool_use', variables: { tools: [{ name: 'search' }] } })).toBe('1 tools: 2 messages');
    expect(() => renderer.render(CONVERSATION, { templateName: 'rag' })).toThrow('model: no chat template named "rag" (it has "default", "tool_use")');
  });

  it('reports templates that do not parse, and malformed template lists', () => {
    const broken = new ChatTemplateRenderer(new Map([['default', '{% for %}']]), {}, 'model');
    expect(() => broken.render(CONVERSATION)).toThrow(/^model: chat template "default" does not parse: /);
    expect(() => parseChatTemplates([{ name: 'x' }], 'tokenizer_config.json')).toThrow('tokenizer_config.json: "chat_template" entries must be {"name": string, "template": string}');
    expect(() => parseChatTemplates(3, 'tokenizer_config.json')).toThrow('"chat_template" must be a string or a list of {name, template} (got number)');
  });
});
