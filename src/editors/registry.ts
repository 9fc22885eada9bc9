import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { describeIssue } from './zod-issue';
import type { ModelConfig } from '../models/config';
import type { EditMethod } from './edit-method';
import { publishedHparamsFor } from './locate/published-hparams';

/** Methods by name; editors register themselves here (see builtin-methods.ts). */
const methods = new Map<string, EditMethod>();

export function registerMethod<S extends z.ZodType>(method: EditMethod<S>): void {
  if (methods.has(method.name)) throw new Error(`edit method "${method.name}" is registered twice`);
  methods.set(method.name, method as unknown as EditMethod);
}

export function methodNames(): string[] {
  return [...methods.keys()].sort();
}

export function getMethod(name: string): EditMethod {
  const method = methods.get(name);
  if (!method) throw new Error(`unknown edit method "${name}" (known: ${methodNames().join(', ') || 'none'})`);
  return method;
}

/** The hyper-parameter file format this ked reads (a file's `version` field). */
export const HPARAMS_VERSION = 1;

/**
 * A method's hyper-parameters: the JSON file (if any) over, given the model, the method's
 * published settings for that model's type and size (`publishedHparamsFor`; for the fixture, and
 * for methods without published settings, the schema's defaults), over the schema's defaults. The
 * file is merged field by field (nested objects too), so a deployment overrides what it names
 * and keeps the rest. A file may say which format it is written in (`"version": 1`); another
 * version is refused. Errors name the file and the field: `rome.json: "layers[0]" must be a number`.
 */
export function loadHparams(method: EditMethod, file?: string, model?: ModelConfig): unknown {
  let raw: unknown = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${basename(file)}: ${(error as Error).message}`);
    }
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'version' in raw) {
      const { version, ...rest } = raw as { version: unknown };
      if (version !== HPARAMS_VERSION) throw new Error(`${basename(file)}: "version" ${JSON.stringify(version)} is not a format this ked reads (it reads version ${HPARAMS_VERSION})`);
      raw = rest;
    }
  }
  const published = model ? publishedHparamsFor(method.name, model) : undefined;
  if (published) raw = mergeFields(published.hparams, raw);
  const result = method.hparams.safeParse(raw);
  if (!result.success) throw new Error(`${file ? basename(file) : `${method.name} defaults`}: ${describeIssue(result.error.issues[0])}`);
  return result.data;
}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** `over` on top of `base`, object fields merged recursively (arrays and values replaced). */
function mergeFields(base: Record<string, unknown>, over: unknown): unknown {
  if (!isRecord(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = isRecord(value) && isRecord(base[key]) ? mergeFields(base[key], value) : value;
  return out;
}
