import type { Template } from './types';

/** Templates written compactly: train and held-out lists per form. */
export interface TemplateSet {
  cloze: string[];
  clozeHeldOut: string[];
  question: string[];
  questionHeldOut: string[];
}

export function templateList(set: TemplateSet): Template[] {
  return [
    ...set.cloze.map((text): Template => ({ text, form: 'cloze', split: 'train' })),
    ...set.clozeHeldOut.map((text): Template => ({ text, form: 'cloze', split: 'held_out' })),
    ...set.question.map((text): Template => ({ text, form: 'question', split: 'train' })),
    ...set.questionHeldOut.map((text): Template => ({ text, form: 'question', split: 'held_out' })),
  ];
}
