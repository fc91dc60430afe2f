// The web app over HTTPS with a certificate made by `shouwang tls selfsigned`: the
// browser accepts exactly that certificate (its key's hash, as a phone that installed
// ca.crt would), the page is a secure context (what the camera and offline pages need)
// and a committee member logs in through the form.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newPage, login, useServerAndBrowser, launchBrowser } from '../lib/browser.mjs';
import { BIN } from '../lib/server.mjs';

const dir = mkdtempSync(join(tmpdir(), 'sw-https-'));
execFileSync(BIN, ['tls', 'selfsigned', '--out', dir, '--name', 'localhost', '--name', '127.0.0.1']);
const pem = readFileSync(join(dir, 'server.crt'), 'utf8');
const leaf = new X509Certificate(pem.slice(0, pem.indexOf('-----END CERTIFICATE-----') + 25));
// Chromium's pin: base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo.
const spki = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

const env = useServerAndBrowser(
  { tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), redirect: true } }, null,
  [`--ignore-certificate-errors-spki-list=${spki}`]);
after(() => rmSync(dir, { recursive: true, force: true }));

test('the app opens over HTTPS as a secure context and a committee member logs in', async (t) => {
  assert.match(env.server.url, /^https:\/\//);
  const page = await newPage(env.browser, t, env.server.url);
  const response = await page.goto(env.server.url + '/login');
  assert.equal(response.status(), 200);
  assert.equal(response.headers()['strict-transport-security'], 'max-age=31536000');
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  await login(page, env.server.url, 'committee');
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'sw_session');
  assert.ok(session && session.secure && session.httpOnly, JSON.stringify(cookies));
  assert.deepEqual(page.pageErrors, []);
});

test('http:// on the redirect port lands on the HTTPS login page', async (t) => {
  const page = await newPage(env.browser, t, env.server.url);
  await page.goto(`http://127.0.0.1:${env.server.redirectPort}/login`);
  await page.getByTestId('login-page').waitFor();
  assert.equal(new URL(page.url()).origin, env.server.url);
});

test('a browser without the pin refuses the certificate', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await assert.rejects(page.goto(env.server.url + '/login'), /ERR_CERT/);
  } finally {
    await browser.close();
  }
});
