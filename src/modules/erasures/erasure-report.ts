import { createHash } from 'node:crypto';
import { normaliseMention } from '../../memory/scope/scope-features';
import { subjectDigest } from '../../memory/scope/subject-digest';
import { REFUSAL } from './erasure-probes';

/** An erasure's findings while it runs (they name the subject and quote the model). */
export interface ErasureReport {
  subject: string;
  /** Edit operations taken out of routing with their payloads and scope keys wiped. */
  erasedEdits: string[];
  /** Facts whose subject, prompt, target and record were overwritten. */
  erasedFacts: string[];
  /** What the unedited model answers about the subject (before suppression). */
  baseModel: Array<{ prompt: string; text: string }>;
  suppressionEdit: string;
  /** Routed FT-M edits added where the suppression context alone did not make the model refuse. */
  reinforcementEdits: string[];
  /**
   * LanceDB compaction + old-version cleanup, Postgres VACUUM of the scrubbed tables, and the
   * embedded engine's WAL (checkpoint and segment switch: true, or the error; on a server, what
   * stays out of reach).
   */
  purge: { lance: boolean; vacuum: boolean | string; wal: boolean | string };
  verification: Array<{ prompt: string; text: string; edits: string[]; passed: boolean }>;
}

/**
 * The report as stored and served once the erasure ends: the subject only as its digest and
 * "[subject]" wherever a prompt or answer named it. What the base model said is reduced to
 * whether it answered rather than refused: its answers are the very data being erased.
 * Verification answers stay (they are refusals, or the evidence of a failed erasure).
 */
export interface StoredErasureReport extends Omit<ErasureReport, 'subject' | 'baseModel'> {
  subject: string;
  baseModel: Array<{ prompt: string; answered: boolean }>;
}

export const SUBJECT_MARK = '[subject]';

export function redactReport(report: ErasureReport): StoredErasureReport {
  const redact = (text: string) => redactText(text, report.subject);
  return {
    ...report,
    subject: targetDigest(report.subject),
    baseModel: report.baseModel.map((b) => ({ prompt: redact(b.prompt), answered: !b.text.trim().startsWith(REFUSAL) })),
    verification: report.verification.map((v) => ({ ...v, prompt: redact(v.prompt), text: redact(v.text) })),
  };
}

/** Every mention of the subject in the text (any case, any punctuation between its words) as "[subject]". */
export function redactText(text: string, subject: string): string {
  const words = normaliseMention(subject).split(' ').filter(Boolean);
  if (!words.length) return text;
  // The words are letters and digits only: nothing in them needs escaping.
  const pattern = words.join('[^\\p{L}\\p{N}]+');
  return text.replace(new RegExp(`(?<![\\p{L}\\p{N}])${pattern}(?![\\p{L}\\p{N}])`, 'giu'), SUBJECT_MARK);
}

/** How an ended erasure's request row keeps its subject or text: a digest (subjectDigest where it has words). */
export function targetDigest(target: string): string {
  return normaliseMention(target) ? subjectDigest(target) : `sha256:${createHash('sha256').update(target).digest('hex')}`;
}
