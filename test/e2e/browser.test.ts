/**
 * What a user does: open /prod/SendEvent in a browser, then the dashboard.
 * Drives Debian's chromium (installed by .ci/run) with playwright-core.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let browser: Browser;

/** A locally installed Chromium or Chrome: playwright-core downloads no browser. */
function chromiumPath(): string {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`No Chromium found (looked at ${candidates.join(', ')}). Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return found;
}

beforeAll(async () => {
  runtime = await startLocalForTests();
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

function sendEventUrl(): string {
  return runtime.stack.outputs.find((o) => o.OutputKey === 'SendEventUrl')!.OutputValue;
}

describe('in a browser', () => {
  it('GET /prod/SendEvent shows the JSON response with the MessageId', async () => {
    const page = await browser.newPage();
    const response = await page.goto(sendEventUrl());
    expect(response?.status()).toBe(200);
    const body = JSON.parse((await page.locator('body').innerText()).trim());
    expect(body.messageId).toMatch(/^[0-9a-f-]{36}$/);
    await page.close();
  });

  it('the dashboard sends a failing event and shows it reach the failure logger', async () => {
    const page = await browser.newPage();
    await page.goto(`${runtime.endpoint}/`);
    await expect.poll(() => page.locator('#outputs').innerText()).toContain('SendEventUrl');
    await page.click('#send-fail');
    await expect.poll(() => page.locator('#response').innerText()).toMatch(/^200 /);
    const failureLogger = runtime.stack.outputs.find((o) => o.OutputKey === 'FailureLoggerFunctionName')!.OutputValue;
    await expect
      .poll(() => page.locator('#traces').innerText(), { timeout: 20_000 })
      .toContain(failureLogger);
    await page.close();
  });
});
