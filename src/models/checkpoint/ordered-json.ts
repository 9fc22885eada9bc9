/**
 * The entries of a JSON object in document order, each value as its JSON text. `JSON.parse` moves integer-like keys ("0", "12")
 * to the front of an object, so a header with such tensor names would not be written back as it
 * was read; splitting the object text keeps the order exactly.
 */
export function orderedObjectEntries(text: string, source: string): Array<[string, string]> {
  const parsed: unknown = JSON.parse(text); // validates first, so the scan below may assume well-formed JSON
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source}: expected a JSON object`);
  }
  const entries: Array<[string, string]> = [];
  const seen = new Set<string>();
  let i = skipWhitespace(text, text.indexOf('{') + 1);
  while (text[i] !== '}') {
    const keyEnd = endOfString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    if (seen.has(key)) throw new Error(`${source}: duplicate key ${JSON.stringify(key)}`);
    seen.add(key);
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the ':'
    const valueEnd = endOfValue(text, valueStart);
    entries.push([key, text.slice(valueStart, valueEnd)]);
    i = skipWhitespace(text, valueEnd);
    if (text[i] === ',') i = skipWhitespace(text, i + 1);
  }
  return entries;
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** Index just past the string literal that starts at `start` (which is a '"'). */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the value that starts at `start`: at the first ',', '}' or ']' outside any nesting. */
function endOfValue(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i);
      if (depth === 0) return i;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return trimEnd(text, start, i);
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === ',' && depth === 0) return trimEnd(text, start, i);
    i++;
  }
  return trimEnd(text, start, i);
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}
