// Test helpers: a temporary directory per test and the real CLI run as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'usage-etl');
export const FIXTURES = join(ROOT, 'fixtures');

const made: string[] = [];
const children: ChildProcess[] = [];
process.on('exit', () => {
  // A test that failed half-way leaves no stopped or running CLI behind.
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory, removed when the process exits. */
export function tempDir(prefix = 'usage-etl-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string | undefined>;
}

/** Runs `usage-etl ARGS...` with no terminal, no config from the developer's home, and waits for it. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? tempDir(),
      env: { ...process.env, HOME: options.cwd ?? tmpdir(), USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** An empty directory for one test, with the path its database will have. */
export function workspace(): { dir: string; db: string } {
  const dir = tempDir('usage-etl-ws-');
  return { dir, db: join(dir, 'usage.db') };
}

/** The CLI as a child process a test can watch and signal; same environment as runCli; killed at exit if still running. */
export function startCli(args: readonly string[], cwd: string): { child: ChildProcess; pid: number; result: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, HOME: cwd, USAGE_ETL_DB: undefined, USAGE_ETL_CONFIG: undefined, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, pid: child.pid!, result };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition`; fails after `timeoutMs`, or at once if `child` ended first. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (child && child.exitCode !== null) throw new Error(`the ingest ended before ${what}; make its dump bigger`);
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}
