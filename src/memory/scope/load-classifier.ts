import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root';
import { SCOPE_CLASSIFIER_FORMAT, ScopeClassifier } from './scope-classifier';

/** The committed stage-2 weights (`ked route-train` writes them). */
export const DEFAULT_SCOPE_CLASSIFIER = join(packageRoot(), 'models', 'scope', 'classifier.json');

export function loadScopeClassifier(path = DEFAULT_SCOPE_CLASSIFIER): ScopeClassifier {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`scope classifier ${path} is missing; run \`ked route-train --out ${path}\``);
  }
  try {
    return ScopeClassifier.fromFile(JSON.parse(text));
  } catch (err) {
    throw new Error(`scope classifier ${path} is not a ${SCOPE_CLASSIFIER_FORMAT} file: ${(err as Error).message}`);
  }
}
