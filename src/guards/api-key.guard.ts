import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { ApiKey } from '../memory/entities/api-key.entity';
import { hashApiKey } from './api-keys';
import { verifiedKeysOf } from './verified-keys';
import { EditEventsService } from '../modules/edits/edit-events.service';
import { PUBLIC_KEY, ROLES_KEY, type Role } from './roles';

/** The key a request was made with, for handlers and the throttler. */
export interface AuthenticatedRequest extends Request {
  apiKey?: { id: string; prefix: string; roles: string[] };
}

/**
 * `Authorization: Bearer <key>` (or `x-api-key`) on every route not marked @Public: 401 without
 * a valid, unrevoked key; 403 when the key has none of the route's roles (admin has them all).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    events: EditEventsService,
  ) {
    // Another daemon (or `ked keys revoke`) revoked a key; after lost events, any may have been.
    const forget = async () => verifiedKeysOf(this.dataSource).clear();
    events.subscribe(async (event) => (event.kind === 'keys' ? forget() : undefined), forget);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // A key in the URL ends up in proxies' and browsers' histories: it is refused, never read.
    if (Object.keys(req.query ?? {}).some((name) => URL_KEY_NAMES.has(name.toLowerCase()))) {
      throw new UnauthorizedException('API keys are read from the Authorization header (Bearer) or x-api-key only; a key in the URL is refused: revoke it, it may have been logged by a proxy');
    }
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const key = bearer(req);
    if (!key) throw new UnauthorizedException('an API key is required: Authorization: Bearer <key> (a fresh daemon writes an admin key to $KED_DATA_DIR/initial-admin.key; an admin makes more with POST /v1/keys, or `ked keys create --role <role>` while no daemon runs)');
    const hash = hashApiKey(key);
    const cache = verifiedKeysOf(this.dataSource);
    let found = cache.get(hash);
    if (!found) {
      const row = await this.dataSource.getRepository(ApiKey).findOneBy({ keySha256: hash });
      if (!row || row.revokedAt) throw new UnauthorizedException('unknown or revoked API key');
      found = { id: row.id, prefix: row.keyPrefix, roles: row.roles };
      cache.set(hash, found);
    }
    req.apiKey = found;
    const allowed = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? ['admin'];
    const roles = found.roles;
    if (!roles.includes('admin') && !allowed.some((r) => roles.includes(r))) {
      throw new ForbiddenException(`this API key (${found.prefix}) has roles ${roles.join(', ')}; this route needs ${allowed.join(' or ')}`);
    }
    // Best effort, and at most once a minute per key: a failed bookkeeping write must not fail the request.
    if (cache.lastUsedDue(found.id)) void this.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [found.id]).catch(() => undefined);
    return true;
  }
}

/** Query parameters clients put keys in. */
const URL_KEY_NAMES = new Set(['api_key', 'apikey', 'api-key', 'key', 'access_token', 'token', 'x-api-key']);

function bearer(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' && x ? x : undefined;
}
