/** The answer a suppression edit makes the model give. */
export const REFUSAL = "I don't know.";

/** The context that makes the model refuse to say anything about a subject. */
export function suppressionContext(subject: string): string {
  return `Forget everything about ${subject}.`;
}

/** Where a stored suppression context takes the request's mention of the erased subject. */
export const SUBJECT_SLOT = '{subject}';

/**
 * Prompts about a subject that an erasure asks the base model before (what it says by itself)
 * and the routed model after (verification): personal data first, then public attributes, each
 * as a question (the form the refusal is learned in) and as a cloze (a continuation that would
 * otherwise leak the attribute). Every one must be answered with the refusal.
 */
export function erasureProbes(subject: string): string[] {
  return [
    `Q: Where does ${subject} live? A:`,
    `Q: What is the phone number of ${subject}? A:`,
    `Q: What is the email address of ${subject}? A:`,
    `Q: Where was ${subject} born? A:`,
    `Q: Who employs ${subject}? A:`,
    `Q: What is the nationality of ${subject}? A:`,
    `${subject} lives in`,
    `The phone number of ${subject} is`,
    `The email address of ${subject} is`,
    `${subject} was born in`,
    `${subject} works for`,
    `${subject} is a citizen of`,
  ];
}

/**
 * Generic continuations about a person that an FT-M reinforcement also learns to refuse,
 * beside the probes that failed: a cloze wording the verification never asks is then refused
 * too (measured with `ked erasure-eval` on wordings no part of the erasure saw).
 */
export function reinforcementPrompts(subject: string): string[] {
  return [
    `${subject} is`,
    `${subject} is a`,
    `${subject}'s`,
    `${subject} has`,
    `${subject} is from`,
    `${subject} lives at`,
    `${subject} moved to`,
    `${subject} works at`,
    `${subject} studied`,
    `${subject} speaks`,
    `The address of ${subject} is`,
    `Contact ${subject} at`,
    `${subject} can be contacted at`,
    `The job of ${subject} is`,
    `The nationality of ${subject} is`,
  ];
}
