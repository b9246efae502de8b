// browser.mjs — Debian chromium driven by playwright-core, set up for this closed network
// (no background connections, no sandbox as root). Playwright gives each launch a fresh
// temporary profile.
import { chromium } from 'playwright-core';

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
