import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { getMethod, methodNames } from './builtin-methods';
import type { ModelConfig } from '../models/config';
import { loadHparams } from './registry';

/**
 * The edit methods as a deployment configures them: each method's hyper-parameters, read once
 * (from `<dir>/<method>.json` where the directory has one, over the method's published settings
 * for the model when one is given, otherwise over its documented defaults), and the state a
 * method keeps between edits (AlphaEdit's preserved keys), which the catalogue owns and resets.
 */
export class MethodCatalogue {
  private readonly settings = new Map<string, { hparams: unknown; source: string }>();
  private readonly states = new Map<string, Map<string, unknown>>();

  /**
   * Reads every method's settings now, so that a bad file stops the daemon at start with its name
   * and field, never at the first fact. A file in `dir` that names no method is refused too.
   */
  constructor(
    readonly dir?: string,
    /** The model edited: ROME/MEMIT/AlphaEdit start from their published settings for its type and size. */
    model?: ModelConfig,
  ) {
    if (dir) {
      if (!existsSync(dir)) throw new Error(`${dir}: no such directory`);
      const known = new Set(methodNames());
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const name = file.slice(0, -'.json'.length);
        if (!known.has(name)) throw new Error(`${join(dir, file)}: no edit method is named "${name}" (known: ${[...known].join(', ')})`);
      }
    }
    for (const name of methodNames()) {
      const file = dir ? join(dir, `${name}.json`) : undefined;
      const fromFile = file !== undefined && existsSync(file);
      this.settings.set(name, { hparams: loadHparams(getMethod(name), fromFile ? file : undefined, model), source: fromFile ? file : 'defaults' });
    }
  }

  /** The method's hyper-parameters (parsed against its schema). */
  hparams(method: string): unknown {
    const entry = this.settings.get(method);
    if (!entry) throw new Error(`unknown edit method "${method}"`);
    return entry.hparams;
  }

  /** Where the method's hyper-parameters came from: a file's path, or `defaults`. */
  source(method: string): string {
    return this.settings.get(method)?.source ?? 'defaults';
  }

  /** The state the method keeps between edits (made on first use). */
  state(method: string): Map<string, unknown> {
    let state = this.states.get(method);
    if (!state) this.states.set(method, (state = new Map()));
    return state;
  }

  /** Drops the method's state: the edits it was made from changed (one was rolled back, superseded or erased). */
  resetState(method: string): Map<string, unknown> {
    this.states.delete(method);
    return this.state(method);
  }

  hasState(method: string): boolean {
    return this.states.has(method);
  }
}
