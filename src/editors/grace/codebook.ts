import { cosineDistance } from '../keys/hidden-keys';

/** One codebook entry while a compute call places its edits: a fixed key, its ε-ball and label. */
export interface CodebookEntry {
  /** Unit-length key: the first member's hidden state (GRACE never moves a key). */
  key: Float32Array;
  /** Deferral radius ε (cosine distance). */
  radius: number;
  /** The answer the entry's value produces (GRACE's label). */
  label: string;
  /** Indices of the edits the value is trained on. */
  members: number[];
}

/**
 * GRACE's codebook update for one edit (Hartvigsen et al. 2023, §3.2). With d the distance to the
 * nearest key: farther than that key's ε plus ε_init, a new entry (ε_init); otherwise, with the
 * same label the nearest entry's ε grows to cover the edit (expand) and its value is also trained
 * on it; with another label both balls shrink to d/2 and the edit gets its own entry (split),
 * except that a re-edit of the same key takes the whole ball over (a split would leave radius 0).
 */
export function placeEdit(entries: CodebookEntry[], edit: { index: number; key: Float32Array; label: string }, initialRadius: number): void {
  let nearest: CodebookEntry | undefined;
  let distance = Infinity;
  for (const entry of entries) {
    const d = cosineDistance(edit.key, entry.key);
    if (d < distance) [nearest, distance] = [entry, d];
  }
  if (!nearest || distance > nearest.radius + initialRadius) {
    entries.push({ key: edit.key, radius: initialRadius, label: edit.label, members: [edit.index] });
  } else if (sameLabel(nearest.label, edit.label)) {
    nearest.radius = Math.max(nearest.radius, distance);
    nearest.members.push(edit.index);
  } else if (distance < SAME_KEY) {
    // The same prompt edited again: the newer entry takes the ball over (ties go to the newest at lookup).
    entries.push({ key: edit.key, radius: nearest.radius, label: edit.label, members: [edit.index] });
  } else {
    nearest.radius = distance / 2;
    entries.push({ key: edit.key, radius: distance / 2, label: edit.label, members: [edit.index] });
  }
}

/** Keys closer than this are one prompt's (float rounding aside). */
const SAME_KEY = 1e-6;

const sameLabel = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
