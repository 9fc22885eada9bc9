import { InvalidArgumentError, type Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../guards/api-keys';
import { ROLES } from '../guards/roles';
import { storageOptions, withDatabase } from './options';

const collectRole = (value: string, previous: string[] = []): string[] => {
  if (!(ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown role "${value}" (roles: ${ROLES.join(', ')})`);
  return [...previous, value];
};

/** `ked keys create|list|revoke`: API keys, straight in the database (no running daemon needed). */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('API keys for the HTTP API (stored hashed; works on the same data dir or DATABASE_URL without a running daemon)');

  storageOptions(keys.command('create').description('create a key and print it (the only time it is shown)'))
    .requiredOption('--role <role>', `a role the key has, repeatable: ${ROLES.join(', ')}`, collectRole)
    .option('--name <name>', 'a label to tell keys apart', 'cli')
    .option('--json', 'print one JSON line: {"key","id","prefix","roles"}')
    .action(async (options: Record<string, unknown> & { role: string[]; name: string; json?: boolean }) => {
      await withDatabase(options, async (source) => {
        const created = await createApiKey(source, { name: options.name, roles: options.role });
        console.log(options.json ? JSON.stringify(created) : `${created.key}\n(roles ${created.roles.join(', ')}; id ${created.id}; keep it: it is not stored)`);
      });
    });

  storageOptions(keys.command('list').description('list keys (prefix, roles, last use; never the key)'))
    .option('--json', 'print one JSON line')
    .action(async (options: Record<string, unknown> & { json?: boolean }) => {
      await withDatabase(options, async (source) => {
        const out = await listApiKeys(source);
        if (options.json) console.log(JSON.stringify(out));
        else for (const k of out) console.log(`${k.prefix}  ${k.roles.join(',').padEnd(24)} ${k.name}${k.revoked ? '  (revoked)' : ''}`);
      });
    });

  storageOptions(keys.command('revoke <idOrPrefix>').description('revoke a key by id or prefix'))
    .action(async (idOrPrefix: string, options: Record<string, unknown>) => {
      await withDatabase(options, async (source) => {
        const n = await revokeApiKey(source, idOrPrefix);
        if (n === 0) throw new InvalidArgumentError(`no active key with id or prefix "${idOrPrefix}"`);
        console.log(`revoked ${n} key${n > 1 ? 's' : ''}`);
      });
    });
}
