/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against the built
 * `mnpd serve`, as customers and operators use it. Every page is saved as a screenshot at desktop
 * and phone sizes under var/screenshots/.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  browserSkipReason,
  launchChromium,
  logIn as logInAs,
  openPage,
  overflowsHorizontally,
  screenshot,
} from './browser.js';
import { freePort } from './free-port.js';
import { serve } from './serve.js';

const skipReason = browserSkipReason();
if (skipReason) console.log(`console end-to-end tests skipped: ${skipReason}`);

/** 10 prefixes of the embedded segment data × 1000 numbers: 10,000 numbers that all answer code 0. */
const PREFIXES = [
  '1397256',
  '1380013',
  '1860000',
  '1330000',
  '1590000',
  '1771234',
  '1890000',
  '1501234',
  '1880000',
  '1351234',
];
const BATCH_NUMBERS = PREFIXES.flatMap((prefix) =>
  Array.from({ length: 1000 }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`),
);

const ACME = { name: 'acme', password: 'acme-console-2026', balance: 15_000 };
const RIVAL = { name: 'rival', password: 'rival-console-2026', balance: 100 };

const tid = (id: string) => `[data-testid="${id}"]`;

describe.skipIf(skipReason !== undefined)('web console end to end', { timeout: 240_000 }, () => {
  let child: ChildProcess;
  let base: string;
  let operatorPassword: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const served = await serve(mkdtempSync(join(tmpdir(), 'mnpd-e2e-')), port);
    child = served.child;
    base = `http://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    operatorPassword = /operator login:\s+admin \/ (\S+)/.exec(served.output())![1];
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGKILL');
  });

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const page = await openPage(browser, pageErrors, { viewport, acceptDownloads: true });
    contexts.push(page.context());
    return page;
  }

  const logIn = (page: Page, role: 'customer' | 'operator', name: string, password: string) =>
    logInAs(page, base, role, name, password);

  async function createAccount(page: Page, account: typeof ACME): Promise<string> {
    await page.goto(`${base}/console/admin/accounts`);
    await page.click(tid('account-create'));
    await page.fill(tid('account-form-name'), account.name);
    await page.fill(tid('account-form-balance'), String(account.balance));
    await page.fill(tid('account-form-password'), account.password);
    await page.click(tid('account-form-submit'));
    const apikey = (await page.locator(tid('account-apikey')).innerText()).trim();
    await page.keyboard.press('Escape');
    return apikey;
  }

  async function balanceShown(page: Page): Promise<number> {
    await page.goto(`${base}/console/`);
    return Number((await page.locator(tid('balance-value')).innerText()).replace(/\D/g, ''));
  }

  let jobUrl: string;

  it('operator creates accounts; the customer logs in, queries, and runs a 10,000-number batch', async () => {
    const operator = await newPage();
    await logIn(operator, 'operator', 'admin', operatorPassword);
    const apikey = await createAccount(operator, ACME);
    expect(apikey).toMatch(/^[0-9a-f]{32}$/);
    await createAccount(operator, RIVAL);
    // The apikey shown once answers the API.
    const answer = await (await fetch(`${base}/carrier?apikey=${apikey}&mobile=13972565391`)).json();
    expect(answer).toMatchObject({ code: 0, result: { Area: '湖北-宜昌' } });

    const customer = await newPage();
    await logIn(customer, 'customer', ACME.name, ACME.password);
    expect(await balanceShown(customer)).toBe(ACME.balance - 1);

    await customer.click(tid('nav-query'));
    await customer.fill(tid('query-input'), '13972565391');
    await customer.click(tid('query-submit'));
    const result = customer.locator(tid('query-result'));
    await expect.poll(() => result.innerText(), { timeout: 10_000 }).toContain('湖北-宜昌');
    expect(await result.innerText()).toContain('移动');

    await customer.click(tid('nav-batches'));
    await customer.locator(`${tid('batch-upload')} input[type=file]`).setInputFiles({
      name: 'numbers.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(BATCH_NUMBERS.join('\n') + '\n'),
    });
    await expect
      .poll(() => customer.locator(tid('batch-preview-valid')).innerText(), { timeout: 30_000 })
      .toMatch(/^\D*10,?000\D*$/);
    await customer.click(tid('batch-start'));
    await expect
      .poll(() => customer.locator(tid('batch-progress-text')).innerText(), { timeout: 60_000 })
      .toContain('100%');
    jobUrl = customer.url();
    expect(jobUrl).toMatch(/\/console\/batches\/\d+$/);

    const [csvDownload] = await Promise.all([
      customer.waitForEvent('download'),
      customer.click(tid('batch-download-csv')),
    ]);
    const csv = readFileSync(await csvDownload.path())
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const rows: string[][] = parse(csv);
    expect(rows).toHaveLength(1 + BATCH_NUMBERS.length);
    const body = rows.slice(1);
    expect(body.map((row) => row[0])).toEqual(BATCH_NUMBERS);
    expect(body.every((row) => row[1] === '0')).toBe(true);
    const yichang = body.find((row) => row[0] === '13972560000')!;
    expect(yichang.join(',')).toContain('湖北-宜昌');

    const [xlsxDownload] = await Promise.all([
      customer.waitForEvent('download'),
      customer.click(tid('batch-download-xlsx')),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await xlsxDownload.path());
    const sheet = workbook.worksheets[0];
    expect(sheet.actualRowCount).toBe(1 + BATCH_NUMBERS.length);
    expect(String(sheet.getRow(2).getCell(1).value)).toBe(BATCH_NUMBERS[0]);

    expect(await balanceShown(customer)).toBe(ACME.balance - 1 - 1 - BATCH_NUMBERS.length);
  });

  it('operator tops the account up and the customer sees the new balance', async () => {
    const operator = await newPage();
    await logIn(operator, 'operator', 'admin', operatorPassword);
    await operator.goto(`${base}/console/admin/accounts`);
    await operator.click(tid(`account-row-${ACME.name}`));
    await operator.fill(tid('topup-amount'), '5000');
    await operator.fill(tid('topup-reason'), 'contract renewal');
    await operator.click(tid('topup-submit'));
    const expected = ACME.balance - 2 - BATCH_NUMBERS.length + 5000;
    await expect
      .poll(async () =>
        Number((await operator.locator(tid('account-balance')).innerText()).replace(/\D/g, '')),
      )
      .toBe(expected);

    const customer = await newPage();
    await logIn(customer, 'customer', ACME.name, ACME.password);
    expect(await balanceShown(customer)).toBe(expected);
  });

  it("refuses a customer another account's batch", async () => {
    const rival = await newPage();
    await logIn(rival, 'customer', RIVAL.name, RIVAL.password);
    await rival.goto(jobUrl);
    await rival.waitForSelector(tid('batch-not-found'));
    const jobId = /(\d+)$/.exec(jobUrl)![1];
    const download = await rival.request.get(`${base}/console/api/me/batches/${jobId}/results.csv`);
    expect(download.status()).toBe(404);
    expect(await download.text()).not.toContain('13972560000');
  });

  it('switches to English and remembers it', async () => {
    const customer = await newPage();
    await logIn(customer, 'customer', ACME.name, ACME.password);
    await customer.goto(`${base}/console/`);
    await customer.waitForSelector(tid('balance-value'));
    await customer.click(tid('lang-switch'));
    await customer.getByText('Balance (queries)').waitFor();
    await customer.reload();
    await customer.getByText('Balance (queries)').waitFor();
    expect(await customer.locator(tid('lang-switch')).innerText()).toContain('中文');
    await screenshot(customer, 'customer-dashboard-english-desktop');
    await customer.click(tid('lang-switch'));
    await customer.getByText('余额（次）').first().waitFor();
  });

  it('every page renders at desktop and phone sizes without overflow or script errors', async () => {
    const customerPages = [
      '',
      'query',
      'batches',
      jobUrl.replace(/^.*\/console\//, ''),
      'records',
      'access',
      'api-docs',
      'password',
    ];
    const operatorPages = ['admin/accounts', 'admin/data', 'admin/system', 'admin/audit'];
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      const login = await newPage(viewport);
      await login.goto(`${base}/console/login`);
      await login.waitForSelector(tid('login-submit'));
      await screenshot(login, `login-${size}`);

      const customer = await newPage(viewport);
      await logIn(customer, 'customer', ACME.name, ACME.password);
      for (const path of customerPages) {
        await customer.goto(`${base}/console/${path}`);
        await customer.waitForLoadState('networkidle');
        const name = `customer-${(path || 'dashboard').replace(/\//g, '-')}-${size}`;
        await screenshot(customer, name);
        expect(await overflowsHorizontally(customer), name).toBe(false);
      }

      const operator = await newPage(viewport);
      await logIn(operator, 'operator', 'admin', operatorPassword);
      await operator.goto(`${base}/console/admin/accounts`);
      await operator.click(tid(`account-row-${ACME.name}`));
      // A page change inside the app is not a load: wait for the page's own content instead.
      await operator.waitForSelector(tid('account-balance'));
      await operator.waitForLoadState('networkidle');
      await screenshot(operator, `operator-account-detail-${size}`);
      expect(await overflowsHorizontally(operator)).toBe(false);
      for (const path of operatorPages) {
        await operator.goto(`${base}/console/${path}`);
        await operator.waitForLoadState('networkidle');
        const name = `operator-${path.replace(/\//g, '-')}-${size}`;
        await screenshot(operator, name);
        expect(await overflowsHorizontally(operator), name).toBe(false);
      }
    }
    expect(pageErrors).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  });
});
