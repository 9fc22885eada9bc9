import { normaliseMention } from './scope-features';

/**
 * Edits of one template whose objects the other template's objects are expected to cover
 * before a test counts: below it, chance alone could leave a paraphrase with no shared object.
 */
export const MIN_EXPECTED_SHARED = 8;
/** Two templates state one relation when one's objects fall among the other's at least this fraction as often as expected. */
export const SAME_RELATION_RATIO = 0.25;

interface TemplateObjects {
  /** Edits stated in the template. */
  edits: number;
  /** How many of them state each (normalised) object. */
  objects: Map<string, number>;
  /** Objects stated once: Good–Turing's estimate of the chance that a new edit's object is unseen is singletons / edits. */
  singletons: number;
}

interface StatedEdit {
  template: string;
  object: string;
  subjects: string[];
}

/**
 * The wordings edits were stated in, learned from the memory itself: each edit's template (its
 * statement with the subject replaced by a slot and the object cut off, "{s} works as a") and
 * the objects stated in every template. Two templates say the same relation when they share
 * objects about as often as each shares with itself (the distributional test of DIRT, Lin and
 * Pantel 2001: paths with the same fillers mean the same): "{s} works for" and "the employer of
 * {s} is" both end in companies, "{s} works as a" in occupations.
 *
 * The scope detector uses this as a veto: a request worded exactly in a template that other
 * edits were stated in asks that template's relation, so an edit whose own template states a
 * different relation (disjoint objects) is not in its scope, however alike the words ("Maria
 * Kim works as a" does not ask "Maria Kim works for Acme"). The veto needs evidence on both
 * sides (repeated objects in each template); relations whose objects overlap (born in and died
 * in a city), sets of names that rarely repeat (authors), wordings no edit used and questions
 * (edits are statements) leave the decision to the classifier.
 */
export class StatedTemplates {
  private readonly edits = new Map<string, StatedEdit>();
  private readonly templates = new Map<string, TemplateObjects>();
  private readonly sameRelationCache = new Map<string, boolean | undefined>();

  /** Registers an edit; without a known object ending its statement it stays out of the evidence. */
  add(id: string, statement: string, subjects: readonly string[], object: string | undefined): void {
    if (this.edits.has(id) || !object) return;
    const normalisedObject = normaliseMention(object);
    const normalisedStatement = normaliseMention(statement);
    if (!normalisedObject || !normalisedStatement.endsWith(` ${normalisedObject}`)) return;
    const template = templateOf(normalisedStatement.slice(0, -normalisedObject.length - 1), subjects);
    if (!template) return;
    const stats = this.templates.get(template) ?? { edits: 0, objects: new Map<string, number>(), singletons: 0 };
    const count = stats.objects.get(normalisedObject) ?? 0;
    stats.objects.set(normalisedObject, count + 1);
    stats.singletons += count === 0 ? 1 : count === 1 ? -1 : 0;
    stats.edits += 1;
    this.templates.set(template, stats);
    this.edits.set(id, { template, object: normalisedObject, subjects: [...subjects] });
    this.sameRelationCache.clear();
  }

  remove(id: string): void {
    const edit = this.edits.get(id);
    if (!edit) return;
    this.edits.delete(id);
    const stats = this.templates.get(edit.template)!;
    const count = stats.objects.get(edit.object)!;
    if (count === 1) stats.objects.delete(edit.object);
    else stats.objects.set(edit.object, count - 1);
    stats.singletons += count === 1 ? -1 : count === 2 ? 1 : 0;
    stats.edits -= 1;
    if (stats.edits === 0) this.templates.delete(edit.template);
    this.sameRelationCache.clear();
  }

  /**
   * Whether the query, read with the edit's subject as the slot, is worded in a template other
   * edits were stated in that the memory's objects show to be another relation than the edit's.
   */
  contradicts(query: string, id: string): boolean {
    return this.asksRelationOf(query, id) === false;
  }

  /**
   * Whether the query asks the fact the edit changed: read with the edit's subject as the slot,
   * it is the edit's own wording, or one the memory's objects show to state the same relation.
   * A locality audit does not count such a probe's new answer against the edit.
   */
  asks(query: string, id: string): boolean {
    return this.asksRelationOf(query, id) === true;
  }

  /** The query's wording against the edit's: the same relation, another one, or undefined when the memory cannot tell. */
  private asksRelationOf(query: string, id: string): boolean | undefined {
    const edit = this.edits.get(id);
    const asked = edit && templateOf(normaliseMention(query), edit.subjects);
    if (!edit || !asked) return undefined;
    return asked === edit.template || this.sameRelation(asked, edit.template);
  }

  /**
   * Whether two templates state one relation, judged by their objects: were they one relation,
   * each template's edits would name objects the other's edits already named about as often as
   * that template's own next edit would (its Good–Turing coverage, 1 − singletons / edits). A
   * template whose objects repeat (occupations, companies) can therefore test any other; one
   * whose objects rarely repeat (authors' names) tests nothing. undefined when neither template
   * can test the other.
   */
  sameRelation(a: string, b: string): boolean | undefined {
    const x = this.templates.get(a);
    const y = this.templates.get(b);
    if (!x || !y) return undefined;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (this.sameRelationCache.has(key)) return this.sameRelationCache.get(key);
    let same: boolean | undefined;
    for (const [seen, next] of [[x, y], [y, x]] as const) {
      const expected = next.edits * (1 - seen.singletons / seen.edits);
      if (expected < MIN_EXPECTED_SHARED) continue;
      let shared = 0;
      for (const [object, count] of next.objects) if (seen.objects.has(object)) shared += count;
      same = (same ?? true) && shared >= SAME_RELATION_RATIO * expected;
    }
    this.sameRelationCache.set(key, same);
    return same;
  }

  /** The template an edit was stated in (tests and diagnostics). */
  templateOfEdit(id: string): string | undefined {
    return this.edits.get(id)?.template;
  }
}

/** Normalised text with the first subject it names replaced by "{s}"; undefined when it names none. */
export function templateOf(normalisedText: string, subjects: readonly string[]): string | undefined {
  const padded = ` ${normalisedText} `;
  for (const subject of subjects) {
    const mention = ` ${normaliseMention(subject)} `;
    if (mention.trim() === '') continue;
    const at = padded.indexOf(mention);
    if (at >= 0) return `${padded.slice(0, at)} {s} ${padded.slice(at + mention.length)}`.replace(/ +/g, ' ').trim();
  }
  return undefined;
}
