// A real browser (Debian chromium via playwright-core) signs in with a magic link taken
// from the outbox: sign-in form → "check your email" → the link's confirmation page →
// the button → signed in (HttpOnly, SameSite=Lax cookies) → account page → sign out.
// Skipped when chromium is missing. Needs RADSCHED_TEST_PG and the built binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startRadsched } from '../support/harness.mjs';
import { magicToken, waitForMail } from '../web/auth_helpers.mjs';

const CHROMIUM = process.env.RADSCHED_CHROMIUM || '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) && `${CHROMIUM} not installed`;
let srv, context, profile;

before(async () => {
  if (skip) return;
  srv = await startRadsched({ demo: true });
  profile = mkdtempSync(join(tmpdir(), 'rs-chromium-'));
  context = await chromium.launchPersistentContext(profile, { // a fresh --user-data-dir
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
});

after(async () => {
  await context?.close();
  await srv?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test('sign in with a magic link from the outbox, then sign out', { skip, timeout: 90000 }, async () => {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(15000);
  await page.goto(`${srv.url}/login`);
  await page.fill('#email', 'admin@lakeside.example');
  await Promise.all([page.waitForURL(`${srv.url}/login/sent`), page.click('button[type=submit]')]);
  assert.match(await page.textContent('main'), /Check your email/);

  const token = magicToken(await waitForMail(srv, 'admin@lakeside.example'));
  await page.goto(`${srv.url}/auth/magic?token=${token}`);
  assert.match(await page.textContent('h1'), /Sign in to Lakeside Radiology/);
  assert.deepEqual((await context.cookies()).filter((c) => c.name.startsWith('rs_')), [], 'opening the link signs nobody in');
  await Promise.all([page.waitForURL(`${srv.url}/`), page.click('#confirm')]);

  const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
  assert.ok(cookies.rs_session?.httpOnly && cookies.rs_session.sameSite === 'Lax');
  assert.ok(cookies.rs_refresh?.httpOnly && cookies.rs_refresh.path === '/auth');
  assert.equal(await page.evaluate(() => document.cookie), '', 'scripts see no session cookie');
  const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
  assert.deepEqual([me.email, me.role, me.tenant], ['admin@lakeside.example', 'ADMIN', 'demo']);

  await page.goto(`${srv.url}/account`);
  assert.match(await page.textContent('main'), /this browser/);
  await page.goto(`${srv.url}/admin/people`);
  assert.match(await page.textContent('main'), /Invite someone/);

  // the link cannot be used twice, even in the same browser
  await page.goto(`${srv.url}/auth/magic?token=${token}`);
  assert.match(await page.textContent('main'), /already been used/);

  await page.goto(`${srv.url}/account`);
  await Promise.all([page.waitForURL(/\/login\?signed_out=1$/), page.click('#sign-out')]);
  assert.match(await page.textContent('main'), /You are signed out/);
  const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(status, 401);
});
