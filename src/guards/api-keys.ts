import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKey } from '../memory/entities/api-key.entity';
import { ROLES, type Role } from './roles';
import { verifiedKeysOf } from './verified-keys';

/** sha256 of the whole key: what is stored and looked up (the key itself never is). */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Creates a key `ked_<8 hex>_<43 base64url>` (256 random bits) with roles, stores its hash and
 * returns the key: the only time it is shown.
 */
export async function createApiKey(dataSource: DataSource | EntityManager, options: { name: string; roles: readonly string[] }): Promise<{ id: string; key: string; prefix: string; roles: Role[] }> {
  const roles = [...new Set(options.roles)];
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length || roles.length === 0) throw new Error(`roles must be some of ${ROLES.join(', ')} (got ${roles.join(', ') || 'none'})`);
  const prefix = randomBytes(4).toString('hex');
  const key = `ked_${prefix}_${randomBytes(32).toString('base64url')}`;
  const saved = await dataSource.getRepository(ApiKey).save({ name: options.name, keyPrefix: prefix, keySha256: hashApiKey(key), roles, lastUsedAt: null, revokedAt: null });
  return { id: saved.id, key, prefix, roles: roles as Role[] };
}

/** Marks a key revoked by id or prefix; returns how many keys it matched. */
export async function revokeApiKey(dataSource: DataSource | EntityManager, idOrPrefix: string): Promise<number> {
  const result = await dataSource.query(`UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND (key_prefix = $1 OR id::text = $1)`, [idOrPrefix]);
  const revoked = Number(result[1] ?? 0);
  if (revoked) {
    // Daemons trust keys they verified for a few seconds: this one forgets them now, the others when told.
    verifiedKeysOf(dataSource).clear();
    await dataSource.query(`SELECT pg_notify('ked_edit_events', $1)`, [JSON.stringify({ kind: 'keys', from: 'revocation' })]);
  }
  return revoked;
}

/** A key as listings show it: never the key or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  roles: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revoked: boolean;
}

/** Every key, oldest first. */
export async function listApiKeys(dataSource: DataSource | EntityManager): Promise<ApiKeyView[]> {
  const rows = await dataSource.getRepository(ApiKey).find({ order: { createdAt: 'ASC' } });
  return rows.map((k) => ({ id: k.id, name: k.name, prefix: k.keyPrefix, roles: k.roles, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revoked: k.revokedAt !== null }));
}
