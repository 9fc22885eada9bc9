/** The edit as the memory stores it: the edit prompt completed with the new object. */
export function editStatement(prompt: string, targetNew: string): string {
  return `${prompt.trim()} ${targetNew.trim()}`;
}

/**
 * What the counterfactual model reads: the edit statement and the input joined by the template
 * (SERAC's "edit [SEP] input"; {edit} and {prompt} are filled in).
 */
export function counterfactualInput(template: string, edit: string, prompt: string): string {
  return template.replace('{edit}', edit.replace(/[.!?]$/, '')).replace('{prompt}', prompt);
}
