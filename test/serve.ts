import { type ChildProcess, spawn } from 'node:child_process';
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
