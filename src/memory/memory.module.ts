import { Global, Module } from '@nestjs/common';
import { JobQueueService } from './queue/job-queue.service';
import { LanceService } from './vector/lance.service';

/** The edit memory's storage: PostgreSQL (via TypeORM, set up in AppModule), the job queue, LanceDB. */
@Global()
@Module({
  providers: [JobQueueService, LanceService],
  exports: [JobQueueService, LanceService],
})
export class MemoryModule {}
