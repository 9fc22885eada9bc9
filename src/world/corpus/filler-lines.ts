import type { Random } from '../random';
import type { WorldIndex } from '../world-index';
import type { CorpusExample } from './corpus-example';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'March', 'April', 'June', 'August', 'October', 'November', 'December'];
const SEASONS = ['spring', 'summer', 'autumn', 'winter'];
const WEATHER = ['rained', 'snowed', 'was sunny', 'was windy', 'was foggy', 'was very warm', 'was cold'];
const PLACES = ['market', 'harbor', 'library', 'park', 'station', 'bakery', 'museum', 'bridge', 'square', 'theater'];
const PEOPLE = ['a farmer', 'an old man', 'a young woman', 'the baker', 'a group of students', 'a tired traveler', 'the children', 'a street musician', 'the mayor', 'a fisherman'];
const ADJECTIVES = ['quiet', 'busy', 'crowded', 'calm', 'bright', 'grey', 'noisy', 'peaceful', 'empty', 'lively'];
const THINGS = ['bread', 'apples', 'fish', 'flowers', 'books', 'coffee', 'tea', 'cheese', 'bicycles', 'lamps'];

/**
 * Plain varied sentences about everyday things in the world's cities and books, for fluency.
 * They state no relation of the world (no birthplaces, homes or employers), so they never
 * contradict a fact.
 */
export function fillerLines(random: Random, index: WorldIndex, count: number): CorpusExample[] {
  const cities = index.entitiesOf('city').map((e) => e.name);
  const countries = index.entitiesOf('country').map((e) => e.name);
  const works = index.entitiesOf('work').map((e) => e.name);
  const r = <T>(items: readonly T[]) => random.pick(items);
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const makers: (() => string)[] = [
    () => `It ${r(WEATHER)} in ${r(cities)} on ${r(DAYS)}.`,
    () => `The ${r(PLACES)} in ${r(cities)} was ${r(ADJECTIVES)} on ${r(DAYS)} morning.`,
    () => `In ${r(MONTHS)}, the streets of ${r(cities)} are ${r(ADJECTIVES)}.`,
    () => `${cap(r(PEOPLE))} bought ${r(THINGS)} at the ${r(PLACES)} and walked home slowly.`,
    () => `The train from ${r(cities)} to ${r(cities)} was late again.`,
    () => `Many readers finished ${r(works)} in a single ${r(SEASONS)} evening.`,
    () => `A copy of ${r(works)} lay open on the table by the window.`,
    () => `In ${r(SEASONS)}, the weather in ${r(countries)} can change quickly.`,
    () => `${cap(r(PEOPLE))} waited near the ${r(PLACES)} while it ${r(WEATHER)}.`,
    () => `The ${r(PLACES)} was ${r(ADJECTIVES)}, and the sky above it was ${r(['blue', 'grey', 'clear', 'dark'])}.`,
    () => `Travelers in ${r(countries)} often stop for ${r(THINGS)} on the way.`,
    () => `On ${r(DAYS)}, ${r(PEOPLE)} sold ${r(THINGS)} near the ${r(PLACES)}.`,
    () => `The old ${r(PLACES)} of ${r(cities)} opens early in ${r(SEASONS)}.`,
    () => `${cap(r(PEOPLE))} said that ${r(works)} was worth reading twice.`,
    () => `By evening the ${r(PLACES)} grew ${r(ADJECTIVES)} and the lamps were lit.`,
    () => `The road between ${r(cities)} and ${r(cities)} runs along a river.`,
  ];
  return Array.from({ length: count }, () => ({ kind: 'filler' as const, text: r(makers)() }));
}
