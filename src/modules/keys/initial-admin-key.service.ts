import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { chmodSync, writeFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { InjectKedConfig } from '../../config/config.providers';
import type { KedConfig } from '../../config/ked-config';
import { createApiKey } from '../../guards/api-keys';

/**
 * A fresh install has no API key, and with the embedded engine `ked keys create` cannot open the
 * database while the daemon runs. So a daemon that finds no key at all (none ever made, revoked
 * or not) creates one admin key and writes it to a file only this user can read; the log names
 * the file, never the key. Daemons sharing a server database take turns (an advisory lock), so
 * only one of them creates it.
 */
@Injectable()
export class InitialAdminKeyService implements OnApplicationBootstrap {
  private readonly logger = new Logger(InitialAdminKeyService.name);

  constructor(
    @InjectKedConfig() private readonly config: KedConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.initialAdminKeyFile;
    if (!file) return;
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('ked_initial_admin_key'))`);
      const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM api_keys`)) as Array<{ count: number }>;
      if (count > 0) return undefined;
      const key = await createApiKey(manager, { name: 'initial-admin', roles: ['admin'] });
      // Written inside the transaction: if the file cannot be written, no key is stored either.
      writeFileSync(file, `${key.key}\n`, { mode: 0o600 });
      chmodSync(file, 0o600); // a file left from an earlier install keeps its own mode otherwise
      return key;
    });
    if (created) this.logger.warn(`no API key existed: created an admin key (prefix ${created.prefix}) and wrote it to ${file}; copy it somewhere safe and delete the file (POST /v1/keys makes more keys)`);
  }
}
