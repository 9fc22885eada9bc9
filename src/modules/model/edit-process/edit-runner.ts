import { Logger } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeltaOperation, EditOperation } from '../../../editors/edit-operation';
import type { EditRequest } from '../../../editors/edit-request';
import { packageRoot } from '../../../package-root';
import type { ChildMessage, ParentMessage } from './protocol';

/** The edit process's budgets and resources (KED_EDIT_*). */
export interface EditRunnerOptions {
  modelDir: string;
  statsCorpus?: string;
  statsCacheDir: string;
  hparamsDir?: string;
  /** onnxruntime threads of the edit process. */
  threads: number;
  /** Its V8 heap limit, in MiB: past it the process dies and the computation fails, the daemon does not. */
  memoryMb: number;
  /** The longest one computation may take before its process is killed. */
  timeoutMs: number;
  /** Scheduling niceness (0–19) of the process, so that serving keeps priority on shared cores. */
  nice: number;
}

/**
 * A computation that ended its process (out of memory, a crash, the time budget) rather than
 * failing with an error of the method's own: the fact is retried, up to its attempts limit.
 */
export class EditProcessCrash extends Error {}

type Pending = { resolve: (message: ChildMessage) => void; reject: (err: Error) => void };

/** The compiled edit process (the daemon runs from dist/, tests from src/: both start the built one). */
const SCRIPT = join(packageRoot(), 'dist', 'src', 'modules', 'model', 'edit-process', 'edit-process-main.js');

/**
 * Runs edit computations in a child process (edit-process-main.ts) holding its own copy of the
 * served weights: commits and rollbacks are sent to it too, and replayed when a new process
 * starts after one died. Calls are answered in the order they were made.
 */
export class EditRunner {
  private readonly logger = new Logger('EditRunner');
  private child?: Promise<ChildProcess>;
  /** The process that answered ready, while it lives. */
  private live?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Every merge sent, in order: a new process starts from the served weights by replaying them. */
  private readonly merged: Array<{ operation: DeltaOperation; sign: 1 | -1 }> = [];
  private closed = false;

  constructor(private readonly options: EditRunnerOptions) {}

  /** The method's edit for the requests, computed in the edit process (`stateful`: against the state sync() brought it to). */
  async compute(method: string, requests: readonly EditRequest[], stateful: boolean): Promise<EditOperation[]> {
    // A process that died after sync() starts empty: computing on it would forget the earlier edits.
    if (stateful && !this.accounted.has(method)) throw new EditProcessCrash(`the edit process restarted before ${method} could compute; its state is rebuilt on the next try`);
    const answer = await this.call({ type: 'compute', id: this.nextId++, method, requests: [...requests], stateful }, this.options.timeoutMs);
    return (answer as { operations: EditOperation[] }).operations;
  }

  /** A commit or rollback done to the served weights, done to the editing copy too. */
  async merge(operation: DeltaOperation, sign: 1 | -1): Promise<void> {
    this.merged.push({ operation, sign });
    // A process not started yet replays it at start.
    if (!this.child) return;
    await this.call({ type: 'merge', id: this.nextId++, operation, sign }, this.options.timeoutMs).catch((err: Error) => this.logger.warn(`edit process: merge not applied (${err.message}); it restarts from the served weights`));
  }

  /**
   * Brings the edit process's state for a method to the live edits (ids): new ones are added;
   * once any accounted edit is gone (rolled back, superseded, erased) the state is rebuilt from
   * the live ones. `load` reads stored operations by id.
   */
  async sync(method: string, live: readonly string[], load: (ids: string[]) => Promise<EditOperation[]>): Promise<void> {
    await this.started();
    const accounted = this.accounted.get(method);
    const wanted = new Set(live);
    const reset = !accounted || [...accounted].some((id) => !wanted.has(id));
    const add = reset ? [...wanted] : [...wanted].filter((id) => !accounted.has(id));
    if (!reset && !add.length) return;
    // Until the process confirms, nothing counts as accounted (a crash in between rebuilds).
    this.accounted.delete(method);
    await this.call({ type: 'account', id: this.nextId++, method, reset, add: add.length ? await load(add) : [] }, this.options.timeoutMs);
    this.accounted.set(method, reset ? wanted : new Set([...accounted!, ...add]));
  }

  /** Per method, the edits whose state the running edit process holds. */
  private readonly accounted = new Map<string, Set<string>>();

  async close(): Promise<void> {
    this.closed = true;
    const child = await this.child?.catch(() => undefined);
    this.child = undefined;
    this.live = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  private async call(message: ParentMessage & { id: number }, timeoutMs: number): Promise<ChildMessage> {
    const child = await this.started();
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        reject(new EditProcessCrash(`the edit computation took longer than its budget of ${Math.round(timeoutMs / 1000)} s (KED_EDIT_TIMEOUT_S); its process was stopped`));
        this.kill(child);
      }, timeoutMs);
      this.pending.set(message.id, {
        resolve: (answer) => {
          clearTimeout(timer);
          if (answer.type === 'error') reject(new Error(answer.error));
          else resolve(answer);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      child.send(message);
    });
  }

  private kill(child: ChildProcess): void {
    this.forget(child);
    child.kill('SIGKILL');
  }

  private forget(child: ChildProcess): void {
    if (this.live !== child) return;
    this.live = undefined;
    this.child = undefined;
  }

  /** The running process, or a new one initialised from the served weights. */
  private started(): Promise<ChildProcess> {
    if (this.closed) return Promise.reject(new Error('the edit process is shut down'));
    this.child ??= this.start();
    const child = this.child;
    child.catch(() => {
      if (this.child === child) this.child = undefined;
    });
    return child;
  }

  private start(): Promise<ChildProcess> {
    if (!existsSync(SCRIPT)) return Promise.reject(new Error(`${SCRIPT} is missing: build ked first (npm run build)`));
    const args = [`--max-old-space-size=${this.options.memoryMb}`, SCRIPT];
    // nice(1) lowers every thread of the process, onnxruntime's pool included.
    const niced = this.options.nice > 0 && existsSync('/usr/bin/nice');
    const child = spawn(niced ? '/usr/bin/nice' : process.execPath, niced ? ['-n', String(this.options.nice), process.execPath, ...args] : args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    return new Promise<ChildProcess>((resolve, reject) => {
      const onStartExit = (code: number | null, signal: string | null) => reject(new Error(`the edit process exited while starting (${describeExit(code, signal)})`));
      child.once('exit', onStartExit);
      child.once('error', reject);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          child.off('exit', onStartExit);
          child.once('exit', (code, signal) => this.lost(child, code, signal));
          this.live = child;
          this.accounted.clear();
          resolve(child);
        } else if (message.type === 'init-failed') {
          child.off('exit', onStartExit);
          child.kill('SIGKILL');
          reject(new Error(`the edit process cannot load the model: ${message.error}`));
        } else {
          const pending = this.pending.get(message.id);
          this.pending.delete(message.id);
          pending?.resolve(message);
        }
      });
      child.send({ type: 'init', modelDir: this.options.modelDir, threads: this.options.threads, statsCorpus: this.options.statsCorpus, statsCacheDir: this.options.statsCacheDir, hparamsDir: this.options.hparamsDir, merged: this.merged } satisfies ParentMessage);
    });
  }

  /** The process ended under calls in flight: each fails as a crash; the next call starts a new process. */
  private lost(child: ChildProcess, code: number | null, signal: string | null): void {
    this.forget(child);
    if (!this.pending.size) return;
    if (!this.closed) this.logger.warn(`edit process ended (${describeExit(code, signal)}) with ${this.pending.size} computation(s) in flight`);
    const crash = new EditProcessCrash(`the edit process ended during the computation (${describeExit(code, signal)})`);
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(crash);
    }
  }
}

function describeExit(code: number | null, signal: string | null): string {
  if (signal === 'SIGKILL') return 'killed: out of memory or the time budget';
  // V8 aborts the process when the heap limit is reached.
  if (signal === 'SIGABRT' || code === 134) return 'out of memory: past KED_EDIT_MEMORY_MB, or an abort';
  if (signal) return `signal ${signal}`;
  return `exit code ${code}`;
}
