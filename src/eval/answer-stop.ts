/**
 * Where a generated answer ends, as a user reading it would cut it: at the end of its first
 * sentence or at a line break (the wild protocol; Yang et al. 2025, "The Mirage of Model
 * Editing", stop generation at a period or a newline). The model's end token and the length cap
 * are the generation's own stops.
 */

/** Words that a period follows without ending the sentence: titles before a name ("Dr. Kaimepan"). */
const TITLES = new Set(['dr', 'mr', 'mrs', 'ms', 'mx', 'prof', 'st', 'mt', 'ft', 'jr', 'sr', 'gen', 'col', 'lt', 'capt', 'sgt', 'rev', 'hon', 'gov', 'sen', 'rep', 'pres', 'fr', 'messrs', 'vs', 'approx', 'ca']);

/**
 * The index where the answer in `text` ends (exclusive), or undefined while that cannot be told
 * yet. A period ends a sentence only when whitespace follows it and then no lower-case letter
 * ("approx. five"), and when the word before it is no title or initial ("Dr.", "F.") and no
 * dotted abbreviation ("U.S."); "3.5" has no whitespace after its period. `finished`: the model
 * generated nothing more, so a final period (or "!", "?") ends the sentence too. A line break
 * ends the answer once it has begun (leading blank lines are skipped).
 */
export function answerEnd(text: string, finished: boolean): number | undefined {
  const start = text.search(/\S/);
  if (start < 0) return undefined;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n' || ch === '\r') return i;
    if (ch !== '.' && ch !== '!' && ch !== '?') continue;
    const gap = /^\s*/.exec(text.slice(i + 1))![0];
    const next = text[i + 1 + gap.length];
    if (next === undefined) {
      // Only whitespace (or nothing) after the mark so far: a line break or the end decides.
      return /[\n\r]/.test(gap) || finished ? i : undefined;
    }
    if (!gap.length) continue; // "3.5", "U.S", "Yahoo!Mail"
    if (ch !== '.') return i;
    if (isAbbreviation(text.slice(start, i))) continue;
    if (/\p{Ll}/u.test(next)) continue;
    return i;
  }
  return undefined;
}

/** Whether the last word of `before` is a title, an initial or a dotted abbreviation. */
function isAbbreviation(before: string): boolean {
  const word = (/(\S+)$/.exec(before)?.[1] ?? '').replace(/^[("'[]+/, '');
  if (!word) return false;
  return /^\p{Lu}$/u.test(word) || /\p{L}\.\p{L}/u.test(word) || TITLES.has(word.toLowerCase());
}

/** The answer part of a generated text: up to its stop, trimmed. */
export function cutAnswer(text: string): string {
  return text.slice(0, answerEnd(text, true) ?? text.length).trim();
}
