/**
 * Scoring a generated answer against its aliases, SQuAD-style (Rajpurkar et al. 2016's
 * `normalize_answer`, as QAEdit uses it): lower-case, drop punctuation and the articles a / an /
 * the, collapse whitespace.
 */

const ARTICLES = new Set(['a', 'an', 'the']);

/** SQuAD's normalisation, with Unicode punctuation and symbols instead of ASCII's. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, '')
    .split(/\s+/)
    .filter((word) => word && !ARTICLES.has(word))
    .join(' ');
}

/** Exact match: the normalised answer is one of the normalised aliases. */
export function exactMatch(answer: string, aliases: readonly string[]): boolean {
  const said = normalizeAnswer(answer);
  return aliases.some((alias) => {
    const wanted = normalizeAnswer(alias);
    return wanted !== '' && wanted === said;
  });
}

/**
 * The normalised answer contains a normalised alias as whole words ("city of Graburg, which"
 * contains "Graburg"; "vouch" does not contain "VOU").
 */
export function containsAnswer(answer: string, aliases: readonly string[]): boolean {
  const said = ` ${normalizeAnswer(answer)} `;
  return aliases.some((alias) => {
    const wanted = normalizeAnswer(alias);
    return wanted !== '' && said.includes(` ${wanted} `);
  });
}
