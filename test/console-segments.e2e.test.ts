/**
 * The data page's segment section in a real browser against the built `mnpd serve`: a segment file
 * checked, then applied, the version list, a correction added and removed, the coverage table, at
 * desktop and phone sizes, in Chinese, without script errors.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  browserSkipReason,
  launchChromium,
  logIn,
  openPage,
  overflowsHorizontally,
  screenshot,
} from './browser.js';
import { freePort } from './free-port.js';
import { serve } from './serve.js';

const skipReason = browserSkipReason();
if (skipReason) console.log(`console segment tests skipped: ${skipReason}`);

const tid = (id: string) => `[data-testid="${id}"]`;

const FILE = [
  '# mnpd segments version 2503',
  'prefix,province,city,zip,area_code,isp',
  '1397256,湖北,武汉,430000,027,移动',
  '1983170,河北,沧州,061000,0317,移动',
].join('\n');

describe.skipIf(skipReason !== undefined)('segment data on the console', { timeout: 240_000 }, () => {
  let child: ChildProcess;
  let base: string;
  let password: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const served = await serve(mkdtempSync(join(tmpdir(), 'mnpd-e2e-segments-')), port);
    child = served.child;
    base = `http://127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    password = /operator login:\s+admin \/ (\S+)/.exec(served.output())![1];
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    child?.kill('SIGKILL');
  });

  async function operatorPage(viewport = DESKTOP): Promise<Page> {
    const page = await openPage(browser, pageErrors, { viewport });
    await logIn(page, base, 'operator', 'admin', password);
    await page.goto(`${base}/console/admin/data`);
    await page.waitForSelector(tid('segments-coverage'));
    return page;
  }

  it('checks and applies a file, then corrects a prefix and removes the correction', async () => {
    const page = await operatorPage();
    expect(await page.locator(tid('segments-in-use')).innerText()).toContain('2502');
    await page.locator(`${tid('segments-upload')} input[type=file]`).setInputFiles({
      name: 'newer.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(FILE),
    });
    await page.click(tid('segments-check'));
    await page.waitForSelector(tid('segments-report'));
    expect(await page.locator(tid('segments-count-moved')).innerText()).toBe('1');
    await page.click(tid('segments-apply'));
    await expect
      .poll(() => page.locator(tid('segments-in-use')).innerText(), { timeout: 10_000 })
      .toContain('2503');
    expect(await page.locator(tid('segments-versions')).innerText()).toContain('newer.csv');

    await page.fill(tid('segments-override-prefixes'), '1983170');
    await page.fill(tid('segments-override-city'), '唐山');
    await page.click(tid('segments-override-add'));
    await expect
      .poll(() => page.locator(tid('segments-overrides')).innerText(), { timeout: 10_000 })
      .toContain('唐山');
    await screenshot(page, 'operator-data-segments-desktop');
    await page.locator(`${tid('segments-overrides')} button.ant-btn-dangerous`).click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await expect
      .poll(() => page.locator(tid('segments-overrides')).innerText(), { timeout: 10_000 })
      .not.toContain('唐山');
    expect(pageErrors).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const page = await operatorPage(PHONE);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'operator-data-segments-phone');
    expect(await overflowsHorizontally(page)).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});
