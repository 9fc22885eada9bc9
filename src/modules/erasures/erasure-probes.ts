/** The answer a suppression edit makes the model give. */
export const REFUSAL = "I don't know.";

/** The context that makes the model refuse to say anything about a subject. */
export function suppressionContext(subject: string): string {
  return `Forget everything about ${subject}.`;
}

/**
 * Questions about a subject that an erasure asks the base model before (what it says by
 * itself) and the routed model after (verification): personal data first, then public
 * attributes, in the question form the refusal is learned in.
 */
export function erasureProbes(subject: string): string[] {
  return [
    `Q: Where does ${subject} live? A:`,
    `Q: What is the phone number of ${subject}? A:`,
    `Q: What is the email address of ${subject}? A:`,
    `Q: Where was ${subject} born? A:`,
    `Q: Who employs ${subject}? A:`,
  ];
}
