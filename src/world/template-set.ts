import type { Template } from './types';

/** Templates written compactly: train and held-out lists per form. */
export interface TemplateSet {
  cloze: string[];
  clozeHeldOut: string[];
  question: string[];
  questionHeldOut: string[];
}

/** Corpus-only wordings (see Relation.paraphrases). */
export interface ParaphraseSet {
  cloze: string[];
  question: string[];
}

export function templateList(set: TemplateSet): Template[] {
  return [
    ...set.cloze.map((text): Template => ({ text, form: 'cloze', split: 'train' })),
    ...set.clozeHeldOut.map((text): Template => ({ text, form: 'cloze', split: 'held_out' })),
    ...set.question.map((text): Template => ({ text, form: 'question', split: 'train' })),
    ...set.questionHeldOut.map((text): Template => ({ text, form: 'question', split: 'held_out' })),
  ];
}

/** Corpus-only wordings as train templates; none for a relation without them. */
export function paraphraseList(set: ParaphraseSet | undefined): Template[] {
  if (!set) return [];
  return [
    ...set.cloze.map((text): Template => ({ text, form: 'cloze', split: 'train' })),
    ...set.question.map((text): Template => ({ text, form: 'question', split: 'train' })),
  ];
}
