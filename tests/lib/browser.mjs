// The browser every end-to-end test drives: Debian's chromium, headless, with the flags
// a closed network needs, fresh phone-sized pages that collect uncaught page errors, and
// the few steps every test repeats (logging in through the form, checking the width).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';
import { DEMO_PASSWORD, startServer } from './server.mjs';

export const CHROMIUM = process.env.SHOUWANG_CHROMIUM || '/usr/bin/chromium';
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1000, height: 900 };

// extraArgs: more chromium flags (the HTTPS test passes its certificate's key hash).
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

// A fresh profile (no cookie, no stored language); its context closes after test t.
export async function newPage(browser, t, baseURL, viewport = PHONE, locale = 'zh-CN') {
  const context = await browser.newContext({ viewport, locale, baseURL });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.pageErrors = [];
  page.on('pageerror', (error) => page.pageErrors.push(error.message));
  t.after(() => context.close());
  return page;
}

// Fills and sends the login form, without waiting for what follows (the tests of the
// refusals wait for the error instead).
export async function submitLogin(page, baseUrl, username, password = DEMO_PASSWORD) {
  await page.goto(new URL('/login', baseUrl).href);
  await page.getByTestId('login-page').waitFor();
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByTestId('login-submit').click();
}

// Logs in through the form and waits until the app shows its navigation (logged in).
export async function login(page, baseUrl, username, password = DEMO_PASSWORD) {
  await submitLogin(page, baseUrl, username, password);
  await page.getByTestId('main-nav').waitFor();
}

// Pages are made for 360 px phones: nothing may force sideways scrolling.
export async function assertFitsPhone(page, what = 'page') {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${what} is ${width}px wide`);
}

// The demo server and one browser for a whole test file: started before its first test
// and stopped after its last; `setup(env)`, when given, runs once they are up (a file's
// own before() cannot be relied on to run after this one). Tests read env.server and
// env.browser.
export function useServerAndBrowser(serverOptions, setup, browserArgs = []) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverOptions);
    env.browser = await launchBrowser(browserArgs);
    if (setup) await setup(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
