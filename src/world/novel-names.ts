import { madeUpName as madeUpNameFrom } from '../models/training/made-up-name';
import type { Random } from './random';
import type { SlotType } from './types';

/** A made-up name ("Tokavi Brenul") drawn from the world's random stream; see models/training. */
export function madeUpName(random: Random): string {
  return madeUpNameFrom(() => random.float());
}

/**
 * Real names a user might send as a fact's new object, by the object's type. The world never
 * uses them and the corpus never contains them: they measure whether a model copies a name it
 * has never seen from an in-context edit (`novelCopyProbes`).
 */
const USER_NAMES: Partial<Record<SlotType, readonly string[]>> = {
  person: ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Marie Curie', 'Nelson Mandela', 'Frida Kahlo', 'Isaac Newton', 'Rosalind Franklin'],
  city: ['Springfield', 'Paris', 'Berlin', 'Tokyo', 'Madrid', 'Vienna', 'Chicago', 'Nairobi'],
  country: ['Portugal', 'Canada', 'Kenya', 'Norway', 'Chile', 'Vietnam', 'Egypt', 'Mexico'],
  company: ['Acme Rail', 'Microsoft', 'Toyota', 'Siemens', 'Nokia', 'Boeing', 'Intel', 'Unilever'],
  organisation: ['Acme Rail', 'Microsoft', 'Oxford University', 'Siemens', 'Red Cross', 'Boeing', 'Harvard University', 'Nokia'],
  university: ['Oxford University', 'Harvard University', 'Stanford University', 'Yale University', 'Kyoto University', 'Sorbonne University'],
  language: ['Portuguese', 'Swahili', 'Norwegian', 'Japanese', 'Tagalog', 'Welsh'],
  currency: ['Swiss franc', 'Japanese yen', 'Indian rupee', 'Mexican peso', 'Danish krone'],
  continent: ['Atlantis', 'Lemuria', 'Zealandia', 'Laurasia'],
  genre: ['jazz fusion', 'film noir', 'science fiction', 'magic realism', 'bossa nova'],
  occupation: ['astronaut', 'blacksmith', 'pharmacist', 'locksmith', 'cartographer', 'beekeeper'],
  work: ['Moby Dick', 'Hamlet', 'The Odyssey', 'Don Quixote', 'War and Peace', 'Pride and Prejudice'],
};
const ANY_NAMES: readonly string[] = ['Acme Rail', 'Springfield', 'Microsoft', 'Ada Lovelace', 'Oxford University', 'Portugal', 'Toyota', 'Grace Hopper'];

/** The real names for objects of `type` (a mixed list for a type without its own). */
export function userNamesFor(type: SlotType): readonly string[] {
  return USER_NAMES[type] ?? ANY_NAMES;
}

/** Every real name the probes use, for checks that the world and corpus stay clear of them. */
export function allUserNames(): string[] {
  return [...new Set([...Object.values(USER_NAMES).flat(), ...ANY_NAMES])];
}
