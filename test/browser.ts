import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContextOptions, type Page, chromium } from 'playwright-core';

/** Debian's Chromium: the only browser these tests use (nothing is ever downloaded). */
export const CHROMIUM = process.env.MNPD_CHROMIUM || '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. CI (`.ci/run`) installs
 * Chromium and sets MNPD_E2E_REQUIRED, so there a missing browser fails instead of skipping.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (apt-get install -y chromium fonts-wqy-microhei)`;
  if (process.env.MNPD_E2E_REQUIRED) throw new Error(`browser tests are required here: ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the networking flags Chromium keeps calling Google's hosts, which this network refuses.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** Screenshots are CI artifacts: every console page at both sizes. */
export const SCREENSHOT_DIR = fileURLToPath(new URL('../var/screenshots/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

/** Text wider than the screen shows as a horizontal scrollbar on the page itself. */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // Runs in the page; the test's own tsconfig has no DOM types, hence the string.
  return page.evaluate('document.documentElement.scrollWidth > window.innerWidth + 1') as Promise<boolean>;
}

/** A page in a browser context of its own; errors thrown in the page are collected in `errors`. */
export async function openPage(
  browser: Browser,
  errors: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return page;
}

/** Logs in on the console's login page, in the given role's tab, and waits for the console. */
export async function logIn(
  page: Page,
  base: string,
  role: 'customer' | 'operator',
  name: string,
  password: string,
): Promise<void> {
  const tid = (id: string) => `[data-testid="${id}"]`;
  await page.goto(`${base}/console/login`);
  await page.click(tid(`login-role-${role}`));
  await page.fill(tid('login-name'), name);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
  // The header's logout button shows at every width (the menu folds into a drawer on phones).
  await page.waitForSelector(tid('logout'));
}
