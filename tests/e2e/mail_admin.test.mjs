// The email admin page in a real browser (Debian chromium driven by playwright-core): every
// template with its subject, its HTML part in a sandboxed frame that really renders (its own
// CSP lets the email's inline styles apply and nothing else), its text part, and the outbox.
// Signed in with an API token sent by the browser context until cookie sessions land.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched, apiTokenFor } from '../support/harness.mjs';
import { launchBrowser } from '../support/browser.mjs';

let srv, browser, token, messageId;
before(async () => {
  srv = await startRadsched({ demo: true }); // file provider: the outbox is written to DATA_DIR/outbox
  token = apiTokenFor(srv, 'admin@lakeside.example');
  const r = await fetch(srv.url + '/api/v1/admin/mail/test', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'e2e-1' },
    body: JSON.stringify({ template: 'publication' }),
  });
  assert.equal(r.status, 202);
  messageId = (await r.json()).id;
  const end = Date.now() + 20000;
  while (srv.sql(`SELECT status FROM email_messages WHERE id = '${messageId}'`) !== 'sent') {
    if (Date.now() > end) throw new Error('the test email was not sent');
    await new Promise((res) => setTimeout(res, 100));
  }
  // the file provider of `radsched dev` wrote it to the outbox directory
  assert.equal(srv.outbox(/X-Radsched-Template: publication/).length, 1);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the admin page previews every template and lists the outbox', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const res = await page.goto(srv.url + '/admin/mail');
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('h1').innerText(), 'Email');

  const cards = page.locator('article.mail-template');
  assert.equal(await cards.count(), 14);
  const invite = page.locator('#template-invite');
  assert.match(await invite.locator('.mail-subject').innerText(), /Lakeside Radiology/);
  assert.match(await invite.locator('pre.mail-text').innerText(), /Lakeside Radiology/);
  assert.equal(await invite.locator('iframe').getAttribute('sandbox'), '');

  // the frame loaded the email (not blocked), styled by its inline styles, without scripts
  const frame = page.frameLocator('#template-invite iframe');
  await frame.locator('body').waitFor();
  assert.match(await frame.locator('body').innerText(), /Lakeside Radiology/);
  const link = frame.locator('a[href*="/invite/accept"]').first();
  assert.ok(await link.isVisible());
  const styles = await link.evaluate((a) => [getComputedStyle(a).color, getComputedStyle(a.parentElement).backgroundColor]);
  assert.deepEqual(styles, ['rgb(255, 255, 255)', 'rgb(31, 95, 139)'], 'the button keeps its inline styles (default accent)');
  // every frame rendered something
  for (const f of page.frames().filter((x) => x !== page.mainFrame())) {
    await f.waitForLoadState();
    assert.ok((await f.content()).length > 1000, f.url());
  }
  assert.equal(page.frames().length, 15);

  // the outbox: our test email, sent
  const row = page.locator(`#message-${messageId}`);
  assert.equal(await row.getAttribute('data-status'), 'sent');
  assert.match(await row.innerText(), /publication/);
  assert.match(await row.innerText(), /admin@lakeside\.example/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the page does not overflow sideways', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const page = await context.newPage();
  await page.goto(srv.url + '/admin/mail');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
  await context.close();
});

test('without a session the page sends the visitor to sign in', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto(srv.url + '/admin/mail');
  // 303 to /auth/refresh, which has no session to refresh and goes on to the sign-in page
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(res.status(), 200);
  assert.doesNotMatch(await page.content(), /id="template-invite"/);
  await context.close();
});
