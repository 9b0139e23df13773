import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type ParsedUpstreamConfig, parseUpstreamConfig } from './config.js';

/** A providers file is a few hundred bytes; anything this large is the wrong file. */
export const MAX_UPSTREAMS_FILE_BYTES = 1024 * 1024;
const MAX_CA_FILE_BYTES = 1024 * 1024;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates the providers file (`MNPD_UPSTREAMS`), then the CA files it names (relative
 * to the file). Never throws: a file that cannot be read is one more error line.
 */
export async function loadUpstreamConfig(path: string, env: Env): Promise<ParsedUpstreamConfig> {
  const text = await readBounded(path, MAX_UPSTREAMS_FILE_BYTES);
  if (typeof text !== 'string') return { ok: false, errors: [`${path}: ${text.problem}`] };
  const parsed = parseUpstreamConfig(text, env);
  if (!parsed.ok) return parsed;
  const errors: string[] = [];
  for (const [i, provider] of parsed.config.providers.entries()) {
    if (!provider.caFile) continue;
    provider.caFile = resolve(dirname(path), provider.caFile);
    const pem = await readBounded(provider.caFile, MAX_CA_FILE_BYTES);
    if (typeof pem !== 'string') errors.push(`providers[${i}] (${provider.name}): caFile ${pem.problem}`);
    else if (!pem.includes('-----BEGIN CERTIFICATE-----'))
      errors.push(`providers[${i}] (${provider.name}): caFile holds no PEM certificate`);
    else provider.ca = pem;
  }
  return errors.length > 0 ? { ok: false, errors } : parsed;
}

async function readBounded(path: string, maxBytes: number): Promise<string | { problem: string }> {
  try {
    if ((await stat(path)).size > maxBytes) return { problem: `is larger than ${maxBytes} bytes` };
    return await readFile(path, 'utf8');
  } catch (error) {
    return { problem: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}
