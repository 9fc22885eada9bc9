import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ClientErrorFilter } from './guards/client-error.filter';
import { rejectUnstorableText } from './guards/storable-text';
import { ConfigError } from './config/config.schema';
import type { KedConfig } from './config/ked-config';
import { getMethod } from './editors/builtin-methods';
import { MethodCatalogue } from './editors/method-catalogue';
import { KedDataSource } from './memory/database/ked-data-source';
import { packageVersion } from './package-root';

/** Largest request body accepted (JSON or NDJSON). */
const BODY_LIMIT = '16mb';

/** Builds the daemon (not yet listening): used by `ked serve` and by the e2e tests alike. */
export async function createApp(config: KedConfig): Promise<INestApplication> {
  const policy = config.editPolicy;
  for (const [variable, names] of [['KED_EDIT_METHODS', policy.modification], ['KED_INSERTION_METHODS', policy.insertion]] as const) {
    for (const name of names) {
      let routable = false;
      try {
        routable = getMethod(name).capabilities.routable;
      } catch (err) {
        throw new ConfigError(variable, (err as Error).message);
      }
      if (!routable) throw new ConfigError(variable, `"${name}" cannot be routed per request`);
    }
  }
  let methods: MethodCatalogue;
  try {
    methods = new MethodCatalogue(config.hparamsDir);
  } catch (err) {
    throw new ConfigError('KED_HPARAMS_DIR', (err as Error).message);
  }
  // Opens the configured engine (starting the embedded one if needed) and migrates it.
  const dataSource = await KedDataSource.open(config.database);
  let app: INestApplication;
  try {
    // Nest's own console logger stays off: boot failures surface once, as the CLI's one line.
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, dataSource, methods), { logger: false, abortOnError: false, bodyParser: false });
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  app.useLogger(app.get(Logger));
  // Bodies past the limit get 413; NDJSON fact streams arrive as text and are parsed per line.
  app.useGlobalFilters(new ClientErrorFilter(app.getHttpAdapter()));
  (app as NestExpressApplication).useBodyParser('json', { limit: BODY_LIMIT });
  (app as NestExpressApplication).useBodyParser('text', { type: ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines'], limit: BODY_LIMIT });
  app.use(rejectUnstorableText);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ked')
      .setDescription('Continual knowledge editing: fact ingestion, routed inference, erasure, audits.')
      .setVersion(packageVersion())
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'ked API key (opaque, not a JWT)', description: 'an API key from `ked keys create --role <role>`' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** Starts the daemon and returns once it is listening. */
export async function serve(config: KedConfig): Promise<INestApplication> {
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  const logger = app.get(Logger);
  const database = app.get<KedDataSource>(getDataSourceToken());
  const where = database.embeddedUrl ? `embedded PostgreSQL at ${database.embeddedUrl}` : 'PostgreSQL server';
  logger.log(`ked listening on ${await app.getUrl()} (docs at /docs, ${where})`, 'ked');
  stopOnSignals(app, logger);
  return app;
}

/**
 * SIGTERM/SIGINT close the app (queue workers drain, the embedded engine checkpoints) and exit 0.
 * A second signal while closing exits at once.
 */
function stopOnSignals(app: INestApplication, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.log(`${signal}: shutting down`, 'ked');
    app.close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`ked: shutdown failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
