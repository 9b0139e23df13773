import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The MNPD_TLS_* settings of a test server that also listens for HTTPS, on a free port: a
 * throwaway certificate for 127.0.0.1 made by openssl, which clients of the tests do not verify.
 */
export function selfSignedTlsEnv(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { MNPD_TLS_CERT: cert, MNPD_TLS_KEY: key, MNPD_TLS_PORT: '0' };
}
