import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { errorForLog, requestForLog } from './guards/log-serializers';
import { KED_CONFIG, type KedConfig } from './config/ked-config';
import { MethodCatalogue } from './editors/method-catalogue';
import { KedDataSource } from './memory/database/ked-data-source';
import { ENTITIES } from './memory/entities';
import { MemoryModule } from './memory/memory.module';
import { GuardsModule } from './guards/guards.module';
import { AuditsModule } from './modules/audits/audits.module';
import { EditsModule } from './modules/edits/edits.module';
import { ErasuresModule } from './modules/erasures/erasures.module';
import { FactsModule } from './modules/facts/facts.module';
import { InferenceModule } from './modules/inference/inference.module';
import { KeysModule } from './modules/keys/keys.module';
import { ModelModule } from './modules/model/model.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';

/** The daemon, assembled from a configuration that was validated before anything started. */
@Module({})
export class AppModule {
  /**
   * `dataSource` is opened (and migrated) and `methods` read before the app is built, so failures
   * stay one clear line; the app shares that one catalogue.
   */
  static forRoot(config: KedConfig, dataSource: KedDataSource, methods: MethodCatalogue): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ked: config })] }),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // A request is logged by method and path only: no headers, no query string (a key or a
            // name there would be written out), no body; an error by its type and message only
            // (a failed query's error carries its SQL and parameters).
            serializers: { req: requestForLog, err: errorForLog },
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ type: 'postgres', entities: ENTITIES }),
          dataSourceFactory: async () => dataSource,
        }),
        ScheduleModule.forRoot(),
        MemoryModule,
        GuardsModule.forRoot({ requestsPerMinute: config.rateLimit }),
        HealthModule,
        MetricsModule,
        ModelModule,
        EditsModule,
        FactsModule,
        InferenceModule,
        AuditsModule,
        ErasuresModule,
        KeysModule,
      ],
      providers: [
        { provide: KED_CONFIG, useValue: config },
        { provide: MethodCatalogue, useValue: methods },
      ],
      exports: [KED_CONFIG, MethodCatalogue],
      global: true,
    };
  }
}
