import type { Template } from './types';

/** The template with its subject filled in; a question stays bare (no "Q:", no mark). */
export function fill(template: Template | string, subject: string): string {
  const text = typeof template === 'string' ? template : template.text;
  return text.split('{s}').join(subject);
}

/** "Q: <question>? A:" — the answer follows after a space. */
export function questionPrompt(question: string): string {
  return `Q: ${question}? A:`;
}

/** Capitalises a sentence that starts with a lowercase alias ("the Republic of X's …"). */
export function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The scoring prompt of a template: the cloze prefix, or the question in Q/A form. */
export function promptOf(template: Template, subject: string): string {
  return template.form === 'cloze' ? sentenceStart(fill(template, subject)) : questionPrompt(sentenceStart(fill(template, subject)));
}

/** A whole training line: the prompt, a space, the object (cloze lines end as sentences). */
export function statementOf(template: Template, subject: string, object: string): string {
  return template.form === 'cloze' ? `${promptOf(template, subject)} ${object}.` : `${promptOf(template, subject)} ${object}`;
}

/** A cloze fact as a sentence without its final stop ("Velmaria's capital is Dorth"). */
export function factSentence(template: Template, subject: string, object: string): string {
  if (template.form !== 'cloze') throw new Error('a fact sentence needs a cloze template');
  return `${sentenceStart(fill(template, subject))} ${object}`;
}

/**
 * A sentence placed after "Imagine that" or inside a trace: a leading template word is lowered
 * ("The capital of …" → "the capital of …"); a leading name stays as it is.
 */
export function embedded(template: Template, sentence: string): string {
  return template.form === 'question' || template.text.startsWith('{s}') ? sentence : sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
