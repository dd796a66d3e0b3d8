/**
 * What a user does: open /prod/SendEvent in a browser, then the dashboard.
 * `npm run test:browser`: drives an installed Chromium (see chromium.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { launchChromium } from './chromium.js';

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  runtime = await startLocalForTests();
  browser = await launchChromium();
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
