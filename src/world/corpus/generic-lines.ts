import type { Random } from '../random';
import type { CorpusExample } from './corpus-example';

/**
 * `count` generic English passages drawn without replacement from `passages` (all of them when
 * there are fewer), in a seeded order: text from outside the world, for the words it never uses.
 */
export function genericLines(random: Random, passages: readonly string[], count: number): CorpusExample[] {
  if (count > 0 && passages.length === 0) throw new Error('generic corpus examples were asked for but no generic text was given (--wordnet DIR)');
  return random
    .shuffle([...passages])
    .slice(0, count)
    .map((text) => ({ kind: 'generic' as const, text }));
}
