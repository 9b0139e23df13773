import { hostname } from 'node:os';
import { resolve } from 'node:path';

/**
 * Which node a piece of work belongs to, stable across restarts: each node of a cluster keeps its
 * own portability data in its own data directory, so host and data directory name it.
 */
export function nodeName(dataDir: string): string {
  return `${hostname()}:${resolve(dataDir)}`;
}
