import { normaliseMention } from '../../memory/scope/scope-features';
import { templateOf } from '../../memory/scope/stated-templates';

/** The fields of a fact its identity is read from. */
export interface IdentifiedFact {
  subject: string;
  prompt: string;
  relation?: string | null;
}

/**
 * A fact's identity in the stream (ARCHITECTURE.md, "Stream semantics"): its subject and relation.
 * The relation is the fact's `relation`; without one, the prompt's template, its wording with the
 * subject cut out as the scope detector reads it ("{s} works as a"), so that two facts worded
 * alike about one subject are one identity. A newer fact of the same identity supersedes the older.
 */
export function factIdentity(fact: IdentifiedFact): string {
  const subject = normaliseMention(fact.subject);
  const relation = fact.relation?.trim();
  if (relation) return `${subject} | relation:${relation.toLowerCase()}`;
  const prompt = normaliseMention(fact.prompt);
  return `${subject} | template:${templateOf(prompt, [fact.subject]) ?? prompt}`;
}
