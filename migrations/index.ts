import { InitialSchema1764320000000 } from './1764320000000-InitialSchema';
import { JobQueueSchema1764320000001 } from './1764320000001-JobQueueSchema';
import { CodebookEditKind1764400000000 } from './1764400000000-CodebookEditKind';
import { FactStream1765000000000 } from './1765000000000-FactStream';
import { DropJobQueue1765100000000 } from './1765100000000-DropJobQueue';

/** Every migration, oldest first. A new one is added here as well as in its own file. */
export const MIGRATIONS = [InitialSchema1764320000000, JobQueueSchema1764320000001, CodebookEditKind1764400000000, FactStream1765000000000, DropJobQueue1765100000000];
