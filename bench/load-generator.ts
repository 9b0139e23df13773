/**
 * What the HTTP and pdb benches share: the load generator runs in a forked child process (the
 * bench's own file with `--load`), so that the server has the parent process, and a core, to
 * itself; the parent sends it a spec and waits for the result. And the compiled server, as
 * `npm start` runs it.
 */
import { type ChildProcess, fork } from 'node:child_process';

/** In the child: answers each spec the parent sends with `run`'s result. */
export function serveLoad<Spec, Result>(run: (spec: Spec) => Promise<Result>): void {
  process.on('message', (spec: Spec) => {
    run(spec).then(
      (result) => process.send!(result),
      (error: Error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

/** True in the forked child. */
export const isLoadChild = process.argv.includes('--load');

export interface LoadGenerator {
  readonly pid: number | undefined;
  run<Spec, Result>(spec: Spec): Promise<Result>;
  stop(): void;
}

/** Forks `file` (the bench itself) as the load generator. */
export function forkLoadGenerator(file: string): LoadGenerator {
  const child: ChildProcess = fork(file, ['--load'], { stdio: 'inherit' });
  return {
    pid: child.pid,
    run: <Spec, Result>(spec: Spec) =>
      new Promise<Result>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`));
        child.once('exit', onExit);
        child.once('message', (result) => {
          child.off('exit', onExit);
          resolve(result as Result);
        });
        child.send(spec as object);
      }),
    stop: () => child.kill(),
  };
}

/** The p-th percentile of sorted values (NaN when there are none). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A module of the compiled server (dist/), typed as its source. */
export async function built<T>(path: string): Promise<T> {
  const url = new URL(`../dist/${path}`, import.meta.url);
  try {
    return (await import(url.href)) as T;
  } catch (error) {
    throw new Error(`cannot load ${url.pathname}: run \`npm run build\` first`, { cause: error });
  }
}

/** The median of the rounds by `by`; with an even count, the lower middle one. */
export function medianBy<T>(rounds: T[], by: (round: T) => number): T {
  return [...rounds].sort((a, b) => by(a) - by(b))[Math.floor((rounds.length - 1) / 2)];
}
