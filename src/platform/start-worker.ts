import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module of this project. Built code runs the compiled `.js` module;
 * the tests run the TypeScript sources, where the worker first registers tsx to load them.
 */
export function startWorker(
  module: URL,
  workerData: unknown,
  options: { resourceLimits?: ResourceLimits; transferList?: ArrayBuffer[] } = {},
): Worker {
  const shared = { workerData, resourceLimits: options.resourceLimits, transferList: options.transferList };
  if (!module.pathname.endsWith('.ts')) return new Worker(module, shared);
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(bootstrap, { eval: true, ...shared });
}

/** The sibling module `name` (.ts when running from source, .js when built). */
export function siblingModule(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}
