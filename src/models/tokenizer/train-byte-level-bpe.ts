/**
 * Trains a GPT-2 style byte-level BPE tokenizer and lays it out as a Hugging Face
 * tokenizer.json (+ tokenizer_config.json), loadable by `tokenizers` and by ked's KedTokenizer.
 * No maintained JS library trains BPE, so this is the classic algorithm (Sennrich et al. 2016)
 * with incremental pair counts: each merge only revisits the words that contain its pair.
 */

const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface TrainBpeOptions {
  /** Final vocabulary size, including the 256 byte symbols and the special tokens. */
  vocabSize: number;
  /** Special tokens appended after the merges; the first is bos/eos/unk (GPT-2's <|endoftext|>). */
  specialTokens?: string[];
  /** Pairs seen fewer times are never merged. */
  minFrequency?: number;
}

export interface TrainedTokenizer {
  tokenizer: Record<string, unknown>;
  config: Record<string, unknown>;
  merges: number;
}

/** GPT-2's reversible byte → printable character map (bytes_to_unicode). */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(256 + n++);
  return table;
}

export function trainByteLevelBpe(lines: Iterable<string>, options: TrainBpeOptions): TrainedTokenizer {
  const specials = options.specialTokens ?? ['<|endoftext|>'];
  const minFrequency = options.minFrequency ?? 2;
  const byteChar = bytesToUnicode();

  // Unique pre-tokenized words with counts, as symbol id arrays.
  const wordCounts = new Map<string, number>();
  for (const line of lines) for (const word of line.match(GPT2_SPLIT) ?? []) wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
  // Symbols are spelled in the byte-level alphabet; merged symbols concatenate their parts.
  const symbols: string[] = [...byteChar];
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of [...wordCounts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    words.push([...Buffer.from(word, 'utf8')].map((b) => b));
    counts.push(count);
  }

  const key = (a: number, b: number) => a * 1_048_576 + b;
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addWordPairs = (w: number, sign: 1 | -1) => {
    const word = words[w];
    for (let i = 0; i + 1 < word.length; i++) {
      const k = key(word[i], word[i + 1]);
      pairCounts.set(k, (pairCounts.get(k) ?? 0) + sign * counts[w]);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addWordPairs(w, 1));

  const merges: Array<[string, string]> = [];
  const target = options.vocabSize - specials.length;
  while (symbols.length < target) {
    let best = -1;
    let bestCount = minFrequency - 1;
    let bestText = '';
    for (const [k, c] of pairCounts) {
      if (c < bestCount || c <= 0) continue;
      if (c > bestCount) {
        best = k;
        bestCount = c;
        bestText = '';
        continue;
      }
      // Ties go to the lexicographically smaller pair, so training is deterministic.
      bestText ||= symbols[Math.floor(best / 1_048_576)] + ' ' + symbols[best % 1_048_576];
      const text = symbols[Math.floor(k / 1_048_576)] + ' ' + symbols[k % 1_048_576];
      if (text < bestText) {
        best = k;
        bestText = text;
      }
    }
    if (best < 0) break;
    const left = Math.floor(best / 1_048_576);
    const right = best % 1_048_576;
    const merged = symbols.length;
    symbols.push(symbols[left] + symbols[right]);
    merges.push([symbols[left], symbols[right]]);
    for (const w of pairWords.get(best) ?? []) {
      addWordPairs(w, -1);
      const word = words[w];
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
          next.push(merged);
          i++;
        } else next.push(word[i]);
      }
      words[w] = next;
      addWordPairs(w, 1);
    }
    pairCounts.delete(best);
    pairWords.delete(best);
  }

  const vocab: Record<string, number> = {};
  symbols.forEach((s, i) => (vocab[s] = i));
  const eos = specials[0];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    merges: merges.length,
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map((content, i) => ({ id: symbols.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true })),
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: { ...byteLevel, trim_offsets: false },
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: { ...vocab, ...Object.fromEntries(specials.map((s, i) => [s, symbols.length + i])) },
        merges: merges.map(([l, r]) => `${l} ${r}`),
      },
    },
    config: {
      add_bos_token: false,
      add_prefix_space: false,
      bos_token: eos,
      clean_up_tokenization_spaces: false,
      eos_token: eos,
      model_max_length: 1024,
      pad_token: null,
      tokenizer_class: 'GPT2Tokenizer',
      unk_token: eos,
    },
  };
}
