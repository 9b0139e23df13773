/**
 * API jobs in the console, in a real browser against the built `mnpd serve`: the customer makes a
 * callback secret (shown once), a program submits a job with a callback to a receiver that fails
 * once, and the batch pages show the job, tagged API, with both attempts; the API page documents it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallbackReceiver, startCallbackReceiver } from '../src/http/test-support/callback-receiver.js';
import { browserSkipReason, launchChromium, logIn as logInAs, openPage, screenshot } from './browser.js';
import { freePort } from './free-port.js';
import { serve } from './serve.js';

const skipReason = browserSkipReason();
if (skipReason) console.log(`console job end-to-end tests skipped: ${skipReason}`);

const tid = (id: string) => `[data-testid="${id}"]`;
const CUSTOMER = { name: 'hooks', password: 'hooks-console-2026', balance: 100 };

describe.skipIf(skipReason !== undefined)('API jobs in the console', { timeout: 180_000 }, () => {
  let child: ChildProcess;
  let base: string;
  let operatorPassword: string;
  let browser: Browser;
  let receiver: CallbackReceiver;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const served = await serve(mkdtempSync(join(tmpdir(), 'mnpd-e2e-jobs-')), port, {
      MNPD_CALLBACK_ALLOW: '127.0.0.1/32',
      MNPD_CALLBACK_FIRST_RETRY_MS: '200',
      MNPD_CALLBACK_POLL_MS: '50',
    });
    child = served.child;
    base = `http://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    operatorPassword = /operator login:\s+admin \/ (\S+)/.exec(served.output())![1];
    browser = await launchChromium();
    receiver = await startCallbackReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
    await browser?.close();
    child?.kill('SIGKILL');
  });

  const newPage = () => openPage(browser, pageErrors);
  const logIn = (page: Page, role: 'customer' | 'operator', name: string, password: string) =>
    logInAs(page, base, role, name, password);

  it('shows an API job with its callback attempts, after the customer made a secret', async () => {
    const operator = await newPage();
    await logIn(operator, 'operator', 'admin', operatorPassword);
    await operator.goto(`${base}/console/admin/accounts`);
    await operator.click(tid('account-create'));
    await operator.fill(tid('account-form-name'), CUSTOMER.name);
    await operator.fill(tid('account-form-balance'), String(CUSTOMER.balance));
    await operator.fill(tid('account-form-password'), CUSTOMER.password);
    await operator.click(tid('account-form-submit'));
    const apikey = (await operator.locator(tid('account-apikey')).innerText()).trim();

    const customer = await newPage();
    await logIn(customer, 'customer', CUSTOMER.name, CUSTOMER.password);
    await customer.click(tid('nav-access'));
    await customer.click(tid('callback-secret-rotate'));
    const secret = (await customer.locator(tid('callback-secret')).innerText()).trim();
    expect(secret).toMatch(/^cbsec_/);
    await screenshot(customer, 'customer-callback-secret');
    await customer.click(tid('callback-secret-close'));
    receiver.setSecret(secret);
    receiver.failNext(1);

    const answer = await fetch(`${base}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apikey,
        mobiles: ['13972565391', '13800138000', '1380013800'],
        requestId: 'e2e-1',
        callbackUrl: receiver.url,
      }),
    });
    const { jobId } = ((await answer.json()) as { result: { jobId: string } }).result;
    const delivered = await receiver.waitFor(jobId, 2);
    expect(delivered.every((callback) => callback.verified)).toBe(true);

    await customer.click(tid('nav-batches'));
    await customer.waitForSelector(tid(`batch-api-${jobId}`));
    await customer.goto(`${base}/console/batches/${jobId}`);
    await expect
      .poll(() => customer.locator(tid('job-callback-status')).innerText(), { timeout: 15_000 })
      .toBe('已送达');
    const card = await customer.locator(tid('job-callback')).innerText();
    expect(card).toContain(receiver.url);
    expect(card).toContain('e2e-1');
    expect(card).toContain('503');
    expect(card).toContain('200');
    await screenshot(customer, 'customer-api-job');

    await customer.click(tid('nav-api-docs'));
    const docs = await customer.locator(tid('docs-jobs-submit')).innerText();
    expect(docs).toContain(`${base}/jobs`);
    expect(await customer.locator(tid('docs-callbacks')).innerText()).toContain('X-Mnpd-Signature');
    await screenshot(customer, 'customer-api-docs-jobs');
    expect(pageErrors).toEqual([]);
  });
});
