// A real browser (Debian chromium driven by playwright-core) loads the first page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched } from '../support/harness.mjs';
import { launchBrowser } from '../support/browser.mjs';

let srv, browser;
before(async () => {
  srv = await startRadsched({ demo: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('first page renders with styles on a phone-sized screen', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const res = await page.goto(srv.url + '/');
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('h1').first().innerText(), 'Fair radiology schedules, published everywhere');
  // the stylesheet applied (not the browser default serif 16px black-on-white layout)
  const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  assert.doesNotMatch(font, /^"?Times/);
  const link = page.getByRole('link', { name: 'Sign in' }).first();
  assert.ok(await link.isVisible());
  // nothing overflows horizontally on a phone
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
  assert.deepEqual(errors, []);
  await page.close();
});
