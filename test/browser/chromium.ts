/**
 * The browser for `npm run test:browser`: an installed Chromium or Chrome,
 * driven by playwright-core, which downloads no browser of its own.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Chromium or Chrome usually lives; CHROMIUM_PATH comes first. */
function candidates(): string[] {
  return [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ].filter((p): p is string => Boolean(p));
}

/** Path of an installed Chromium or Chrome; throws saying how to get one. */
export function chromiumPath(): string {
  const paths = candidates();
  const found = paths.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`No Chromium found (looked at ${paths.join(', ')}). Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return found;
}

/** A headless Chromium without the background traffic a test does not want (updates, sync, QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
