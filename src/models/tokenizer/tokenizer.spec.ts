import { readFileSync } from 'fs';
import { join } from 'path';
import { loadTokenizer } from './load-tokenizer';
import { KedTokenizer } from './tokenizer';

/** Tiny tokenizers laid out like GPT-2's and Llama-2's tokenizer.json (see fixtures/generate.mjs). */
const BYTE_LEVEL = join(__dirname, 'fixtures', 'byte-level-bpe');
const SENTENCEPIECE = join(__dirname, 'fixtures', 'sentencepiece-bpe');
const readJson = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

const SAMPLES = [
  'the quick brown fox jumps over the lazy dog',
  'Hello, World! 123  two  spaces',
  ' leading space and trailing ',
  'line one\nline two\n\ttabbed',
  'ünïcödé — “quotes” 中文 👋🏽',
  "it's we'll they're",
];

describe('byte-level BPE (GPT-2 style)', () => {
  let tokenizer: KedTokenizer;
  beforeAll(async () => {
    tokenizer = await loadTokenizer(BYTE_LEVEL);
  });

  it('exposes the vocabulary size and special token ids', () => {
    expect(tokenizer.vocabSize).toBe(295); // 256 bytes + 38 merges + <|endoftext|>
    const endOfText = tokenizer.tokenToId('<|endoftext|>');
    expect(endOfText).toBe(294);
    expect([tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.unkTokenId, tokenizer.padTokenId]).toEqual([294, 294, 294, undefined]);
  });

  it('applies the merges to GPT-2 pre-tokenized words', () => {
    expect(tokenizer.tokenize('the world')).toEqual(['the', 'Ġworld']);
    expect(tokenizer.encode('the world')).toEqual([tokenizer.tokenToId('the'), tokenizer.tokenToId('Ġworld')]);
    // An unmerged word falls back to its bytes, mapped to GPT-2's printable alphabet.
    expect(tokenizer.tokenize('é')).toEqual(['Ã', '©']);
  });

  it.each(SAMPLES)('decodes what it encodes: %j', (text) => {
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('adds no special tokens of its own, but keeps them in text', () => {
    expect(tokenizer.encode('the', { addSpecialTokens: true })).toEqual(tokenizer.encode('the', { addSpecialTokens: false }));
    const ids = tokenizer.encode('a<|endoftext|>b');
    expect(ids).toEqual([tokenizer.tokenToId('a'), 294, tokenizer.tokenToId('b')]);
    expect(tokenizer.decode(ids)).toBe('a<|endoftext|>b');
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('ab');
  });

  it('decodes nothing to nothing and refuses ids outside the vocabulary', () => {
    expect(tokenizer.decode([])).toBe('');
    expect(() => tokenizer.decode([5, 295])).toThrow('token id 295 is outside the vocabulary (0..294)');
  });
});

describe('SentencePiece-style BPE (Llama style)', () => {
  let tokenizer: KedTokenizer;
  beforeAll(async () => {
    tokenizer = await loadTokenizer(SENTENCEPIECE);
  });

  it('exposes the vocabulary size and special token ids', () => {
    expect(tokenizer.vocabSize).toBe(328);
    expect([tokenizer.unkTokenId, tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.padTokenId]).toEqual([0, 1, 2, undefined]);
  });

  it('marks word starts with ▁ and merges within words', () => {
    expect(tokenizer.tokenize('there is the theory')).toEqual(['▁there', '▁is', '▁the', '▁the', 'or', 'y']);
  });

  it('adds <s> unless asked not to', () => {
    const ids = tokenizer.encode('the fox');
    expect(ids[0]).toBe(1);
    expect(ids.slice(1)).toEqual(tokenizer.encode('the fox', { addSpecialTokens: false }));
    expect(tokenizer.decode(ids)).toBe('<s> the fox');
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('the fox');
  });

  it('falls back to byte tokens for characters outside the vocabulary', () => {
    expect(tokenizer.tokenize('👋')).toEqual(['▁', '<0xF0>', '<0x9F>', '<0x91>', '<0x8B>']);
  });

  it.each(SAMPLES)('decodes what it encodes: %j', (text) => {
    expect(tokenizer.decode(tokenizer.encode(text), { skipSpecialTokens: true })).toBe(text);
  });

  it('follows add_bos_token / add_eos_token from tokenizer_config.json, as transformers does for Llama', () => {
    const files = { tokenizer: readJson(SENTENCEPIECE, 'tokenizer.json'), source: 'test' };
    const config = readJson(SENTENCEPIECE, 'tokenizer_config.json');
    const noBos = new KedTokenizer({ ...files, config: { ...config, add_bos_token: false } });
    expect(noBos.encode('the fox')).toEqual(tokenizer.encode('the fox', { addSpecialTokens: false }));
    const withEos = new KedTokenizer({ ...files, config: { ...config, add_eos_token: true } });
    expect(withEos.encode('the fox')).toEqual([1, ...tokenizer.encode('the fox', { addSpecialTokens: false }), 2]);
  });

  it('reads special tokens given as AddedToken objects or only in special_tokens_map.json', () => {
    const files = { tokenizer: readJson(SENTENCEPIECE, 'tokenizer.json'), source: 'test' };
    const objects = new KedTokenizer({ ...files, config: { eos_token: { __type: 'AddedToken', content: '</s>', special: true } } });
    expect(objects.eosTokenId).toBe(2);
    const mapOnly = new KedTokenizer({ ...files, config: {}, specialTokensMap: { bos_token: '<s>', pad_token: '<unk>' } });
    expect([mapOnly.bosTokenId, mapOnly.padTokenId]).toEqual([1, 0]);
  });
});

describe('loadTokenizer', () => {
  it('needs tokenizer.json', async () => {
    await expect(loadTokenizer(__dirname)).rejects.toThrow(`${__dirname}: no tokenizer.json`);
  });

  it('names the directory when tokenizer.json cannot be built', () => {
    expect(() => new KedTokenizer({ tokenizer: { model: { type: 'Nope' } }, source: 'dir' })).toThrow(/^dir: cannot build the tokenizer/);
  });
});
