import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../../src/cli/free-port';
import { join } from 'node:path';

const KED_BIN = join(__dirname, '..', '..', '..', 'bin', 'ked.js');

/** A `ked` process started the way users start it, and what it printed. */
export interface DaemonProcess {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function runKed(args: string[], env: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [KED_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

export { freePort };

/** Starts `ked serve` and resolves once /health answers 200 (rejects if it exits first). */
export async function startDaemon(env: Record<string, string>, timeoutMs = 60_000): Promise<DaemonProcess> {
  const port = await freePort();
  const { child, done } = runKed(['serve'], { ...env, PORT: String(port) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = done.then((result) => result.code);
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`ked exited before it was healthy:\n${stderr}\n${stdout.slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return { child, port, stdout: () => stdout, stderr: () => stderr, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`ked was not healthy within ${timeoutMs} ms:\n${stderr}`);
}

/** A bench's JSON result lines, without the log lines its in-process daemon wrote to the same stdout. */
export function benchLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => !('level' in line && 'msg' in line));
}
