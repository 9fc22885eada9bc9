import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The embedded default: PostgreSQL compiled to WASM (PGlite), persisted under one directory and
 * served on a loopback port so the same `pg` driver and TypeORM code talk to it as to a server.
 *
 * PGlite is one backend, so the socket server multiplexes client connections onto it query by
 * query; it keeps an open transaction bound to the connection that began it, which is what makes
 * a small connection pool safe here.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly lockFile: string,
    readonly url: string,
  ) {}

  static async start(options: { dir: string; port: number; maxConnections: number }): Promise<EmbeddedPostgres> {
    mkdirSync(options.dir, { recursive: true });
    const lockFile = `${options.dir}.lock`;
    acquireLock(lockFile);
    try {
      const db = await openEngine(options.dir);
      // An erasure's checkpoint must delete old WAL segments, not rename them for reuse with the
      // erased rows' bytes still in them (ALTER SYSTEM keeps it across restarts, SET applies now).
      await db.exec('ALTER SYSTEM SET wal_recycle = off');
      await db.exec('SET wal_recycle = off');
      const server = new PGLiteSocketServer({
        db,
        host: '127.0.0.1',
        port: options.port,
        maxConnections: options.maxConnections,
      });
      await server.start();
      const [, port] = server.getServerConn().split(':');
      return new EmbeddedPostgres(db, server, lockFile, `postgres://postgres@127.0.0.1:${port}/postgres`);
    } catch (err) {
      rmSync(lockFile, { force: true });
      throw err;
    }
  }

  /** Stops serving, checkpoints and closes the engine, then releases the directory. */
  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    rmSync(this.lockFile, { force: true });
  }
}

/** PGlite fails on damaged files with a bare WASM abort; name the directory and the way out. */
async function openEngine(dir: string): Promise<PGlite> {
  try {
    return await PGlite.create(dir);
  } catch (err) {
    throw new EmbeddedDatabaseUnreadableError(dir, err);
  }
}

/**
 * Two processes opening one PGlite directory would corrupt it, and PGlite itself does not lock.
 * A pid file is enough: a lock left by a killed process names a pid that no longer runs.
 */
function acquireLock(lockFile: string): void {
  mkdirSync(dirname(lockFile), { recursive: true });
  try {
    const holder = Number(readFileSync(lockFile, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
      throw new EmbeddedDatabaseBusyError(lockFile, holder);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  writeFileSync(lockFile, String(process.pid));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`the embedded database is in use by another process (pid ${pid}, lock ${lockFile})`);
    this.name = 'EmbeddedDatabaseBusyError';
  }
}

export class EmbeddedDatabaseUnreadableError extends Error {
  constructor(
    readonly dir: string,
    cause: unknown,
  ) {
    super(
      `the embedded database in ${dir} cannot be opened (${(cause as Error)?.message ?? String(cause)}): ` +
        `its files are damaged, e.g. written by two processes at once or copied while a daemon ran. ` +
        `Restore ${dirname(dir)} from a copy taken while no daemon ran, or move it aside to start empty; ` +
        `or set DATABASE_URL to use a PostgreSQL server`,
      { cause },
    );
    this.name = 'EmbeddedDatabaseUnreadableError';
  }
}
