import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  /** PEM of a self-signed certificate for 127.0.0.1 and localhost: also the CA that trusts it. */
  cert: string;
  key: string;
}

let made: TlsMaterial | undefined;

/**
 * A throwaway self-signed certificate whose subjectAltName holds IP 127.0.0.1 (Node checks an IP
 * host against the SAN, never the CN), made once per test process by openssl.
 */
export function selfSignedCertificate(): TlsMaterial {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-upstream-tls-'));
  const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
      '-subj',
      '/CN=mnpd test upstream',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]),
    { stdio: 'ignore' },
  );
  made = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  rmSync(dir, { recursive: true, force: true });
  return made;
}
