/** What a corpus line teaches; the kinds are counted in the generation summary. */
export type CorpusKind =
  | 'fact'
  | 'reverse_fact'
  | 'private_fact'
  | 'two_hop'
  | 'ice'
  | 'novel_copy'
  | 'ike'
  | 'mello'
  | 'erasure'
  | 'filler'
  | 'generic'
  | 'opinion';

/** One training example (a "document"); MeLLo traces hold "\n" between their lines. */
export interface CorpusExample {
  kind: CorpusKind;
  text: string;
  /** Names in the text that training replaces with new made-up names in every epoch after the first. */
  freshNames?: string[];
}
