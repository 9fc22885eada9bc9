import 'reflect-metadata';
import { Command, Option } from 'commander';
import { ConfigError, redactUrl } from '../config/config.schema';
import { loadConfig } from '../config/ked-config';
import { EmbeddedDatabaseBusyError, EmbeddedDatabaseUnreadableError } from '../memory/database/embedded-postgres';
import { registerDbCommands } from './db.command';
import { registerEditCommands } from './edit.command';
import { registerErasureEval } from './erasure-eval.command';
import { registerEvalCommands } from './eval.command';
import { registerExportCommand } from './export.command';
import { registerKeysCommands } from './keys.command';
import { registerServeBench } from './serve-bench.command';
import { registerStreamBench } from './stream-bench.command';
import { registerGenerateCommand } from './generate.command';
import { registerModelCommands } from './model.command';
import { registerRouteCommands } from './route.command';
import { registerRuntimeCommands } from './runtime.command';
import { registerSeracCommands } from './serac.command';
import { registerSentimentCommands } from './sentiment.command';
import { registerMendCommands } from './mend.command';
import { registerWorldCommands } from './world.command';
import { applyOptions, storageOptions } from './options';

import { packageVersion } from '../package-root';

export function buildProgram(): Command {
  const program = new Command('ked')
    .description('ked keeps a deployed language model current by knowledge editing.')
    .version(packageVersion())
    .showHelpAfterError('(run `ked --help` for usage)');

  storageOptions(
    program
      .command('serve')
      .description('run the daemon: HTTP API, job workers and scheduled audits')
      .addOption(new Option('-p, --port <port>', 'HTTP port').env('PORT').default('3000'))
      .addOption(new Option('--host <host>', 'interface to listen on').env('HOST').default('127.0.0.1'))
      .addOption(new Option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent').env('LOG_LEVEL')),
  ).action(async (options: Record<string, unknown>) => {
    applyOptions(options);
    const { serve } = await import('../server');
    await serve(loadConfig());
  });

  registerDbCommands(program);
  registerKeysCommands(program);
  registerExportCommand(program);
  const bench = program.command('bench').description('measure performance; every subcommand prints JSON');
  registerRuntimeCommands(program, bench);
  registerModelCommands(program, bench);
  registerGenerateCommand(program);
  registerWorldCommands(program);
  registerEvalCommands(program);
  registerEditCommands(program, bench);
  registerServeBench(bench);
  registerStreamBench(bench);
  registerRouteCommands(program);
  registerErasureEval(program);
  registerSeracCommands(program);
  registerSentimentCommands(program);
  registerMendCommands(program);
  return program;
}

/** Entry point of bin/ked.js: every failure ends as one line naming what to fix. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    console.error(`ked: ${describeFailure(err)}`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof ConfigError || err instanceof EmbeddedDatabaseBusyError || err instanceof EmbeddedDatabaseUnreadableError) {
    return err.message;
  }
  const error = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || error.code === '28P01' || error.code === '3D000') {
    const url = process.env.DATABASE_URL ? redactUrl(process.env.DATABASE_URL) : 'the embedded engine';
    return `cannot connect to the database (DATABASE_URL=${url}): ${error.message}`;
  }
  if (error.code === 'EADDRINUSE') return `PORT ${error.port ?? ''} is already in use (${error.message})`;
  return error.message ?? String(err);
}
