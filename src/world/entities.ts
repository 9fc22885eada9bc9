import { capitalise, type NameForge } from './names';
import type { Random } from './random';
import type { Entity, EntityType, WorldOptions } from './types';

export const GENRES = ['poetry', 'satire', 'romance', 'tragedy', 'comedy', 'mystery', 'fantasy', 'history', 'drama', 'folklore'];
// Consonant-initial, so "works as a <occupation>" stays grammatical.
export const OCCUPATIONS = ['baker', 'chemist', 'dentist', 'farmer', 'journalist', 'lawyer', 'painter', 'pilot', 'sculptor', 'teacher', 'tailor', 'nurse', 'carpenter', 'banker', 'gardener', 'potter'];
const TITLE_ADJECTIVES = ['Silent', 'Broken', 'Golden', 'Hidden', 'Distant', 'Crimson', 'Quiet', 'Last', 'Endless', 'Frozen', 'Wandering', 'Bitter', 'Burning', 'Pale', 'Northern', 'Lonely', 'Velvet', 'Iron', 'Secret', 'Fading'];
const TITLE_NOUNS = ['River', 'Garden', 'Tower', 'Harbor', 'Winter', 'Mirror', 'Lantern', 'Orchard', 'Compass', 'Shadow', 'Meadow', 'Letter', 'Voyage', 'Season', 'Kingdom', 'Island', 'Bridge', 'Forest', 'Mountain', 'Promise', 'Feather', 'Window', 'Crown', 'Candle'];
const COMPANY_KINDS = ['Trading Company', 'Steel Works', 'Shipping Lines', 'Textile Mills', 'Power Company', 'Rail Corporation', 'Glass Works', 'Paper Mills', 'Motor Company', 'Savings Bank', 'Mining Group', 'Food Company'];
const UNIVERSITY_KINDS = ['State University', 'Institute of Technology', 'Polytechnic University', 'Royal Academy', 'Open University', 'Medical College'];

/** Capital letters of the significant words: "Velmar Steel Works" → "VSW". */
export function acronym(name: string): string {
  return name
    .split(' ')
    .filter((w) => !['of', 'the', 'and'].includes(w))
    .map((w) => w.charAt(0).toUpperCase())
    .join('');
}

function padded(n: number): string {
  return String(n).padStart(3, '0');
}

/** Generates every entity of the world (people get first and last names and two aliases). */
export class EntityFactory {
  private readonly acronyms = new Set<string>();

  constructor(
    private readonly random: Random,
    private readonly forge: NameForge,
  ) {}

  build(options: WorldOptions): Entity[] {
    const continents = this.named('continent', options.continents, ['ica', 'ara', 'esia', 'urea'], (name) => [`the continent of ${name}`]);
    const countries = this.named('country', options.countries, ['ia', 'ania', 'land', 'esh', 'ovia', 'ara'], (name) => [`the Republic of ${name}`]);
    const cities = this.named('city', options.cities, ['', '', '', 'burg', 'port', 'holm', 'ford'], (name) => [`the city of ${name}`]);
    const languages = this.named('language', options.languages, ['ish', 'ese', 'ic', 'ian'], () => []);
    const currencies = this.named('currency', options.currencies, [''], () => []);
    const genres = this.fixed('genre', GENRES, options.genres);
    const occupations = this.fixed('occupation', OCCUPATIONS, options.occupations);
    const companies = this.organisations('company', options.companies, COMPANY_KINDS);
    const universities = this.organisations('university', options.universities, UNIVERSITY_KINDS);
    const works = this.works(options.works);
    const people = this.people(options.people, 'person');
    return [...continents, ...countries, ...cities, ...languages, ...currencies, ...genres, ...occupations, ...companies, ...universities, ...works, ...people];
  }

  /** People with a shared pool of given names and unique family names. */
  people(count: number, idPrefix: string, firstNamePool?: string[]): Entity[] {
    const pool = firstNamePool ?? Array.from({ length: Math.max(8, Math.ceil(count / 2.5)) }, () => this.forge.name());
    const out: Entity[] = [];
    for (let i = 0; i < count; i++) {
      const first = this.random.pick(pool);
      const last = this.forge.name();
      out.push({ id: `${idPrefix}:${padded(i)}`, type: 'person', name: `${first} ${last}`, aliases: [`Dr. ${last}`, `${first.charAt(0)}. ${last}`], first, last });
    }
    return out;
  }

  private named(type: EntityType, count: number, suffixes: string[], aliases: (name: string) => string[]): Entity[] {
    return Array.from({ length: count }, (_, i) => {
      const name = this.forge.name(suffixes);
      return { id: `${type}:${padded(i)}`, type, name, aliases: aliases(name) };
    });
  }

  private fixed(type: EntityType, names: string[], count: number): Entity[] {
    if (count > names.length) throw new Error(`at most ${names.length} ${type} entities are available (asked for ${count})`);
    return names.slice(0, count).map((name, i) => {
      this.forge.claim(name);
      return { id: `${type}:${padded(i)}`, type, name, aliases: [] };
    });
  }

  /** "<Root> <Kind>", with an acronym alias that no other organisation shares. */
  private organisations(type: 'company' | 'university', count: number, kinds: string[]): Entity[] {
    const out: Entity[] = [];
    for (let attempt = 0; out.length < count; attempt++) {
      if (attempt > 100 * count) throw new Error(`cannot make ${count} ${type} names with distinct acronyms`);
      const name = `${capitalise(this.forge.root(2))} ${this.random.pick(kinds)}`;
      const short = acronym(name);
      if (this.acronyms.has(short) || !this.forge.claim(short)) continue;
      this.acronyms.add(short);
      out.push({ id: `${type}:${padded(out.length)}`, type, name, aliases: [short] });
    }
    return out;
  }

  /** Titles of two or three English words, each unique. */
  private works(count: number): Entity[] {
    const out: Entity[] = [];
    for (let attempt = 0; out.length < count; attempt++) {
      if (attempt > 100 * count) throw new Error(`cannot make ${count} distinct work titles`);
      const adjective = this.random.pick(TITLE_ADJECTIVES);
      const noun = this.random.pick(TITLE_NOUNS);
      const shape = this.random.int(3);
      const title = shape === 0 ? `The ${adjective} ${noun}` : shape === 1 ? `${adjective} ${noun}` : `${noun} of ${this.random.pick(TITLE_NOUNS.filter((n) => n !== noun))}`;
      if (!this.forge.claim(title)) continue;
      out.push({ id: `work:${padded(out.length)}`, type: 'work', name: title, aliases: [`the book ${title}`] });
    }
    return out;
  }
}
