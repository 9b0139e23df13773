/**
 * The signature checks the console's API page gives customers (Python and Java), run as pasted
 * against signatures mnpd makes: a customer who copies them accepts mnpd's callbacks and refuses a
 * changed body, another secret and an old time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERIFY_SAMPLES } from '../src/console/pages/customer/jobs-samples.js';
import { newCallbackEvent } from '../src/service/callbacks/callback-event.js';
import { newCallbackSecret } from '../src/service/callbacks/callback-secret.js';
import { signCallback } from '../src/service/callbacks/callback-signature.js';

const secret = newCallbackSecret();
const body = JSON.stringify(
  newCallbackEvent('job.finished', { jobId: '7', status: 'done', area: '湖北-宜昌' }),
);
const cases = [
  { name: 'the body as sent', header: signCallback(body, secret), body, secret, valid: true },
  {
    name: 'a changed body',
    header: signCallback(body, secret),
    body: body.replace('done', 'stopped'),
    secret,
    valid: false,
  },
  {
    name: 'another secret',
    header: signCallback(body, secret),
    body,
    secret: newCallbackSecret(),
    valid: false,
  },
  {
    name: 'an old time',
    header: signCallback(body, secret, Date.now() - 3_600_000),
    body,
    secret,
    valid: false,
  },
  { name: 'no signature', header: 'garbage', body, secret, valid: false },
];

function available(command: string): boolean {
  return spawnSync(command, ['--version'], { encoding: 'utf8' }).status === 0;
}

describe.skipIf(!available('python3'))('the Python verification sample', () => {
  it.each(cases)('judges $name', ({ header, body: sent, secret: key, valid }) => {
    const script = `${VERIFY_SAMPLES.python}
import sys
print("valid" if verify_mnpd_signature(sys.argv[1], sys.stdin.buffer.read(), sys.argv[2]) else "invalid")
`;
    const run = spawnSync('python3', ['-c', script, header, key], { input: sent, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(valid ? 'valid' : 'invalid');
  });
});

describe.skipIf(!available('java'))('the Java verification sample', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mnpd-java-'));
  const file = join(dir, 'MnpdSignature.java');
  writeFileSync(file, VERIFY_SAMPLES.java);

  it.each(cases)('judges $name', ({ header, body: sent, secret: key, valid }) => {
    const run = spawnSync('java', [file, header, key], { input: sent, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(valid ? 'valid' : 'invalid');
  });
});
