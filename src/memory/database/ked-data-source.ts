import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import type { KedConfig } from '../../config/ked-config';
import { ENTITIES } from '../entities';
import { EmbeddedPostgres } from './embedded-postgres';

/**
 * ked's TypeORM data source. In embedded mode it owns the engine it talks to, so closing the
 * data source also checkpoints and stops the engine (after the last connection is gone).
 */
export class KedDataSource extends DataSource {
  private embedded?: EmbeddedPostgres;

  /** Opens the database the configuration names and brings its schema up to date. */
  static async open(database: KedConfig['database'], options: { migrate?: boolean } = {}): Promise<KedDataSource> {
    let embedded: EmbeddedPostgres | undefined;
    let url: string;
    if (database.mode === 'embedded') {
      embedded = await EmbeddedPostgres.start({
        dir: database.dir,
        port: database.port,
        maxConnections: database.poolSize + 2,
      });
      url = embedded.url;
    } else {
      url = database.url;
    }
    const dataSource = new KedDataSource({
      type: 'postgres',
      url,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsTableName: 'ked_migrations',
      synchronize: false,
      // The embedded engine answers one statement at a time: a burst of requests queues for its one connection.
      extra: { max: database.poolSize, connectionTimeoutMillis: database.mode === 'embedded' ? 60_000 : 10_000 },
    });
    dataSource.embedded = embedded;
    try {
      await dataSource.initialize();
      if (options.migrate ?? true) await dataSource.runMigrations({ transaction: 'each' });
    } catch (err) {
      if (dataSource.isInitialized) await DataSource.prototype.destroy.call(dataSource);
      await embedded?.stop();
      throw err;
    }
    return dataSource;
  }

  get mode(): 'embedded' | 'server' {
    return this.embedded ? 'embedded' : 'server';
  }

  /** The engine's address in embedded mode (psql can connect to it while the daemon runs). */
  get embeddedUrl(): string | undefined {
    return this.embedded?.url;
  }

  override async destroy(): Promise<void> {
    if (this.isInitialized) await super.destroy();
    const embedded = this.embedded;
    this.embedded = undefined;
    await embedded?.stop();
  }
}
