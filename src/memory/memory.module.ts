import { Global, Module } from '@nestjs/common';
import { LanceService } from './vector/lance.service';

/** The edit memory's storage: PostgreSQL (via TypeORM, set up in AppModule) and LanceDB. */
@Global()
@Module({
  providers: [LanceService],
  exports: [LanceService],
})
export class MemoryModule {}
