// Phone-sized screenshots of each role's home, kept in tests/output/screenshots/ so that
// a change that breaks a layout is seen (open the PNGs). Chinese must render as text, not
// boxes: the machine has a CJK font (fonts-wqy-microhei, from scripts/deps.sh), and the
// home's heading is measured to be as wide as real glyphs, not as missing-glyph boxes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { newPage, login, assertFitsPhone, useServerAndBrowser } from '../lib/browser.mjs';
import { DEMO_USERS } from '../lib/server.mjs';

const OUT = join(process.cwd(), 'output', 'screenshots');
const env = useServerAndBrowser();

test('a CJK font is installed for the browser', () => {
  const fonts = execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim();
  assert.ok(fonts.length > 0, 'fc-list finds no Chinese font: run make deps');
});

for (const username of DEMO_USERS) {
  test(`${username}: the home at 360 px, saved as a screenshot`, async (t) => {
    const page = await newPage(env.browser, t, env.server.url);
    await login(page, env.server.url, username);
    const home = page.locator('[data-testid^="home-"]').first();
    await home.waitFor();
    await page.locator('[data-testid="dashboard-tiles"], [data-testid="dashboard-empty"], '
      + '[data-testid="community-item"]').first().waitFor();
    await assertFitsPhone(page, `${username}'s home`);
    // Each Chinese glyph of the heading is drawn as a glyph of the CJK font: its width is
    // close to the font size (a missing-glyph box of a Latin fallback is much narrower).
    const { width, size, chars } = await home.locator('h1').evaluate((h) => {
      const range = document.createRange();
      range.selectNodeContents(h);
      return { width: range.getBoundingClientRect().width, size: parseFloat(getComputedStyle(h).fontSize),
        chars: [...h.textContent.trim()].length };
    });
    assert.ok(width >= chars * size * 0.8, `heading glyphs ${width}px for ${chars} characters of ${size}px`);
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, `${username}-home-360.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(statSync(file).size > 5000, 'a screenshot with content');
    assert.deepEqual(page.pageErrors, []);
  });
}
