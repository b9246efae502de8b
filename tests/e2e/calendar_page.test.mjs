// The calendar page in a real browser (Debian chromium through playwright-core): a person
// sees their feed as https:// and webcal:// links with working copy buttons, the link serves
// their calendar, and "Make a new link" replaces it (the old one answers 404). Chiefs and
// admins also see the master feed; only admins get its rotate buttons. Phone-sized screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRadsched } from '../support/harness.mjs';
import { launchBrowser } from '../support/browser.mjs';
import { publishDemoSchedule, apiTokensForAll } from '../integration/ics_support.mjs';

let srv, browser, tokens;
const RAD = 'priya.raman@lakeside.example';
const ADMIN = 'admin@lakeside.example';

before(async () => {
  srv = await startRadsched({ demo: true });
  publishDemoSchedule(srv);
  tokens = apiTokensForAll(srv);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function open(email) {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    extraHTTPHeaders: { Authorization: `Bearer ${tokens.get(email)}` },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

test('a radiologist copies both links, the link serves the calendar, and a new link replaces it', async () => {
  const { context, page, errors } = await open(RAD);
  const res = await page.goto(srv.url + '/calendar');
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('h1').innerText(), 'My calendar');
  const https = await page.locator('#feed-https').inputValue();
  const webcal = await page.locator('#feed-webcal').inputValue();
  assert.match(https, new RegExp(`^${srv.url}/ics/[A-Za-z0-9_-]{32}\\.ics$`));
  assert.equal(webcal, https.replace(/^http:/, 'webcal:'));
  assert.ok(https.length < 200);

  for (const [id, value] of [['#feed-https', https], ['#feed-webcal', webcal]]) {
    const button = page.locator(`button[data-copy="${id}"]`);
    assert.ok(await button.isVisible());
    await button.click();
    await page.waitForFunction((sel) => document.querySelector(`button[data-copy="${sel}"]`).dataset.copied === 'true', id);
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), value);
  }
  assert.equal(await page.locator('#master-https').count(), 0, 'no master feed for a radiologist');
  assert.equal(await page.locator('a[href^="webcal://"]').first().getAttribute('href'), webcal);

  const feed = await fetch(https);
  assert.equal(feed.status, 200);
  assert.match(await feed.text(), /^BEGIN:VCALENDAR\r\n[\s\S]*BEGIN:VEVENT[\s\S]*END:VCALENDAR\r\n$/);

  await Promise.all([page.waitForURL(/\/calendar\?rotated=me$/), page.getByRole('button', { name: 'Make a new link' }).click()]);
  assert.ok(await page.getByRole('status').isVisible());
  const fresh = await page.locator('#feed-https').inputValue();
  assert.notEqual(fresh, https);
  assert.equal((await fetch(https)).status, 404, 'the old link stops working at once');
  assert.equal((await fetch(fresh)).status, 200);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an admin sees the master feed with its rotate buttons', async () => {
  const { context, page, errors } = await open(ADMIN);
  assert.equal((await page.goto(srv.url + '/calendar')).status(), 200);
  const master = await page.locator('#master-https').inputValue();
  assert.match(master, /\/ics\/[A-Za-z0-9_-]{32}\.ics$/);
  assert.match(await page.locator('#master-webcal').inputValue(), /^webcal:\/\//);
  assert.equal((await fetch(master)).status, 200);
  await Promise.all([page.waitForURL(/rotated=master$/), page.getByRole('button', { name: 'Make a new master link' }).click()]);
  assert.notEqual(await page.locator('#master-https').inputValue(), master);
  assert.equal((await fetch(master)).status, 404);
  assert.ok(await page.getByRole('button', { name: 'Replace every calendar link of the department' }).isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test('with a cookie session the rotate form carries its CSRF token', async (t) => {
  const m = srv.stdout().match(/Sign in as the demo admin[^:]*: (http\S+)/);
  if (!m) return t.skip('no magic sign-in link printed by this build');
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(m[1]);
  if (await page.locator('#confirm').count()) await Promise.all([page.waitForNavigation(), page.locator('#confirm').click()]);
  const res = await page.goto(srv.url + '/calendar');
  if (res.status() !== 200) return t.skip(`sign-in did not give a session (${res.status()})`);
  const before = await page.locator('#feed-https').inputValue();
  const csrf = await page.locator('form[action="/calendar/rotate"] input[name="_csrf"]').first().inputValue();
  assert.ok(csrf.length > 10, 'the form carries a CSRF token');
  await Promise.all([page.waitForURL(/rotated=me$/), page.getByRole('button', { name: 'Make a new link' }).click()]);
  assert.notEqual(await page.locator('#feed-https').inputValue(), before);
  // the same form without its token is refused
  const forged = await page.evaluate(async () => (await fetch('/calendar/rotate', { method: 'POST', body: new URLSearchParams({ feed: 'me' }), redirect: 'manual' })).status);
  assert.equal(forged, 403);
  await context.close();
});
