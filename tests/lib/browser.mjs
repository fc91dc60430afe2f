// The browser every end-to-end test drives: Debian's chromium, headless, with the flags
// a closed network needs, and fresh phone-sized pages that collect uncaught page errors.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SHOUWANG_CHROMIUM || '/usr/bin/chromium';
export const PHONE = { width: 360, height: 740 };

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh profile (no cookie, no stored language); its context closes after test t.
export async function newPage(browser, t, baseURL, viewport = PHONE) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.pageErrors = [];
  page.on('pageerror', (error) => page.pageErrors.push(error.message));
  t.after(() => context.close());
  return page;
}
