import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { freePort } from './free-port.js';
import { CLI } from './run-cli.js';

export interface ServedProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
}

/**
 * Starts the built `mnpd serve` as a user does (SQLite in `dataDir`, the embedded segments) and
 * waits until /healthz answers.
 */
export async function serve(
  dataDir: string,
  port: number,
  env: Record<string, string> = {},
): Promise<ServedProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      MNPD_DATA_DIR: dataDir,
      MNPD_PORT: String(port),
      MNPD_HOST: '127.0.0.1',
      DATABASE_URL: '',
      MNPD_SEGMENTS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  for (let waited = 0; waited < 30_000; waited += 50) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return { child, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill();
  throw new Error(`mnpd serve did not start:\n${output}`);
}

/** A `mnpd serve` child whose output goes to a log file, as an operator runs it under a supervisor. */
export interface LoggedServer {
  child: ChildProcess;
  url: string;
  port: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const HEALTH_TIMEOUT_MS = 15_000;

/**
 * Starts the built `mnpd serve` with only the settings given (nothing of the runner's own leaks
 * in), its output appended to `logFile`, and waits until /healthz answers.
 */
export async function startServer(env: Record<string, string>, logFile: string): Promise<LoggedServer> {
  const server = await spawnServer(env, logFile);
  await waitHealthy(server);
  return server;
}

/** As startServer, without waiting: for nodes that start at once. */
export async function spawnServer(
  env: Record<string, string>,
  logFile: string,
  nodeOptions: string[] = [],
): Promise<LoggedServer> {
  const port = env.MNPD_PORT ? Number(env.MNPD_PORT) : await freePort();
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeOptions, CLI, 'serve'], {
    env: {
      ...process.env,
      // An empty value is the default.
      DATABASE_URL: '',
      MNPD_SEGMENTS: '',
      MNPD_TLS_CERT: '',
      MNPD_TLS_KEY: '',
      MNPD_TRUSTED_PROXIES: '',
      MNPD_REDIS_URL: '',
      MNPD_PORT: String(port),
      MNPD_HOST: '127.0.0.1',
      MNPD_DEFAULT_QPS: '1000000',
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url: `http://127.0.0.1:${port}`, port, logFile, exited };
}

export function logTail(logFile: string, lines = 30): string {
  return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
}

export function isRunning(server: LoggedServer): boolean {
  return server.child.exitCode === null && server.child.signalCode === null;
}

export async function waitHealthy(server: LoggedServer, timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(server)) {
      throw new Error(`mnpd serve exited before answering /healthz:\n${logTail(server.logFile)}`);
    }
    try {
      const response = await fetch(`${server.url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.child.kill('SIGKILL');
  throw new Error(`mnpd serve did not answer /healthz within ${timeoutMs} ms:\n${logTail(server.logFile)}`);
}

/** SIGKILL unless it already ended; resolves once it has. */
export async function killServer(server: LoggedServer): Promise<void> {
  if (isRunning(server)) server.child.kill('SIGKILL');
  await server.exited;
}
