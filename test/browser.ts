import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';

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
