import type { DataSource, EntityManager } from 'typeorm';

/** How long a verified key is trusted without asking PostgreSQL again. */
export const VERIFIED_KEY_TTL_MS = 10_000;
/** last_used_at is written at most this often per key. */
export const LAST_USED_INTERVAL_MS = 60_000;

export interface VerifiedKey {
  id: string;
  prefix: string;
  roles: string[];
}

/**
 * Keys verified against PostgreSQL recently, by hash, so that serving a request asks the
 * database nothing (with the embedded engine's one connection, a lookup per request queued
 * /health and the worker behind completions). A revocation clears the cache of the process
 * that made it at once, and other daemons through the edit events (`kind: 'keys'`).
 */
export class VerifiedKeys {
  private readonly entries = new Map<string, { key: VerifiedKey; until: number }>();
  private readonly lastUsedWritten = new Map<string, number>();

  get(hash: string, now = Date.now()): VerifiedKey | undefined {
    const entry = this.entries.get(hash);
    if (entry && entry.until > now) return entry.key;
    this.entries.delete(hash);
    return undefined;
  }

  set(hash: string, key: VerifiedKey, now = Date.now()): void {
    this.entries.set(hash, { key, until: now + VERIFIED_KEY_TTL_MS });
  }

  /** Whether last_used_at is due a write for this key (and, if so, counts it as written now). */
  lastUsedDue(id: string, now = Date.now()): boolean {
    if ((this.lastUsedWritten.get(id) ?? 0) + LAST_USED_INTERVAL_MS > now) return false;
    this.lastUsedWritten.set(id, now);
    return true;
  }

  clear(): void {
    this.entries.clear();
  }
}

const caches = new WeakMap<object, VerifiedKeys>();

/** The cache of keys verified against this database (one per data source, so apps in one process never share one). */
export function verifiedKeysOf(dataSource: DataSource | EntityManager): VerifiedKeys {
  const owner = 'connection' in dataSource && !('manager' in dataSource) ? dataSource.connection : dataSource;
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new VerifiedKeys()));
  return cache;
}
