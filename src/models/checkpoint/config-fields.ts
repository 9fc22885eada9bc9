/**
 * Typed reads of config.json fields, each failing with the file and the field's name:
 * `config.json: "n_embd" must be a positive integer (got "abc")`.
 */
export class ConfigFields {
  constructor(
    readonly json: Record<string, unknown>,
    readonly source: string,
    /** Set for nested objects: "rope_scaling." */
    private readonly prefix = '',
  ) {}

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  fail(key: string, expected: string): never {
    const value = this.json[key];
    throw new Error(`${this.source}: "${this.prefix}${key}" must be ${expected} (${value === undefined ? 'missing' : `got ${JSON.stringify(value)}`})`);
  }

  positiveInt(key: string, fallback?: number): number {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) this.fail(key, 'a positive integer');
    return value;
  }

  positiveNumber(key: string, fallback?: number): number {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) this.fail(key, 'a positive number');
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'boolean') this.fail(key, 'true or false');
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.json[key] ?? fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    return value as T;
  }

  /** A token id; null and absent both mean none. */
  tokenId(key: string): number | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (!isTokenId(value)) this.fail(key, 'a non-negative integer or null');
    return value;
  }

  /** One token id or a list (eos_token_id may be several). */
  tokenIds(key: string): number | number[] | undefined {
    const value = this.json[key];
    if (Array.isArray(value)) {
      if (!value.every(isTokenId)) this.fail(key, 'a token id or a list of token ids');
      return [...value];
    }
    if (value !== undefined && value !== null && !isTokenId(value)) this.fail(key, 'a token id or a list of token ids');
    return this.tokenId(key);
  }

  object(key: string): Record<string, unknown> | undefined {
    const value = this.json[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'an object or null');
    return value as Record<string, unknown>;
  }

  /** A nested object's fields, named "outer.inner" in errors. */
  nested(key: string): ConfigFields | undefined {
    const value = this.object(key);
    return value && new ConfigFields(value, this.source, `${this.prefix}${key}.`);
  }
}

function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
