import { Command, Option } from 'commander';
import { loadConfig } from '../config/ked-config';
import { KedDataSource } from '../memory/database/ked-data-source';

/** Options shared by every command that opens ked's storage; each maps onto an env var. */
export function storageOptions(command: Command): Command {
  return command
    .addOption(new Option('--data-dir <dir>', 'where embedded PostgreSQL and LanceDB keep their files').env('KED_DATA_DIR'))
    .addOption(new Option('--database-url <url>', 'a PostgreSQL server to use instead of the embedded engine').env('DATABASE_URL'));
}

/** Copies CLI flags into the environment so that one loader validates every source alike. */
export function applyOptions(options: Record<string, unknown>): void {
  const envNames: Record<string, string> = {
    dataDir: 'KED_DATA_DIR',
    databaseUrl: 'DATABASE_URL',
    port: 'PORT',
    host: 'HOST',
    logLevel: 'LOG_LEVEL',
  };
  for (const [key, env] of Object.entries(envNames)) {
    if (options[key] !== undefined) process.env[env] = String(options[key]);
  }
}

/** Opens ked's database from the flags/env (migrating unless told not to), runs `work`, closes it. */
export async function withDatabase(options: Record<string, unknown>, work: (source: KedDataSource) => Promise<void>, open: { migrate?: boolean } = {}): Promise<void> {
  applyOptions(options);
  const source = await KedDataSource.open(loadConfig().database, open.migrate === false ? { migrate: false } : undefined);
  try {
    await work(source);
  } finally {
    await source.destroy();
  }
}
