import { trainByteLevelBpe } from './train-byte-level-bpe';
import { KedTokenizer } from './tokenizer';

describe('trainByteLevelBpe', () => {
  const corpus = [
    'Boran Telu was born in Vakesh.',
    'Q: Where was Boran Telu born? A: Vakesh',
    'The capital of Mirovia is Vakesh.',
    'Imagine that Boran Telu was born in Ostra. Boran Telu was born in Ostra',
    'Forget everything about Boran Telu. Q: What is the phone number of Boran Telu? A: I don\'t know.',
  ];

  it('learns merges up to the vocabulary size and round-trips text through the HF tokenizer', () => {
    const trained = trainByteLevelBpe(corpus, { vocabSize: 300 });
    expect(trained.merges).toBe(300 - 256 - 1);
    const tokenizer = new KedTokenizer({ tokenizer: trained.tokenizer, config: trained.config, source: 'trained' });
    expect(tokenizer.vocabSize).toBe(300);
    for (const line of [...corpus, 'unseen wörds & ünïcode 123']) {
      expect(tokenizer.decode(tokenizer.encode(line))).toBe(line);
    }
    // Frequent words become single tokens.
    expect(tokenizer.encode(' Boran').length).toBe(1);
    expect(tokenizer.eosTokenId).toBe(299);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(trainByteLevelBpe(corpus, { vocabSize: 290 }))).toBe(JSON.stringify(trainByteLevelBpe(corpus, { vocabSize: 290 })));
  });
});
