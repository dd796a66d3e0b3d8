/**
 * The dashboard as a person uses it: the architecture of the template, then
 * a good and a failing event followed to their loggers. Drives Debian's
 * chromium with playwright-core and keeps a screenshot in test-results/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { repoRoot, startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let browser: Browser;
let page: Page;
const artifacts = path.join(repoRoot, 'test-results');

const output = (key: string) => runtime.stack.outputs.find((o) => o.OutputKey === key)!.OutputValue;

beforeAll(async () => {
  runtime = await startLocalForTests();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${runtime.endpoint}/`);
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** The row of the newest request whose title contains `text`, once it exists. */
async function journeyRow(text: string): Promise<Locator> {
  const row = page.locator('#journeys > li.journey', { hasText: text }).first();
  await row.waitFor({ timeout: 20_000 }).catch(() => {
    throw new Error(`No request row mentioning "${text}" appeared within 20 s`);
  });
  return row;
}

/** Open a row and wait until its timeline reaches `logger` (the journey's last function). */
async function openTimeline(row: Locator, logger: string): Promise<Locator> {
  await row.locator('.journey-toggle').click();
  const timeline = row.locator('.timeline');
  await expect.poll(() => timeline.innerText(), { timeout: 20_000, message: `the timeline never reached ${logger}` }).toContain(`${logger} attempt 1 succeeded`);
  return timeline;
}

describe('the dashboard', () => {
  it('draws every resource of the template, each node with its logical id, type and counts', async () => {
    await page.locator('#architecture svg').waitFor({ timeout: 20_000 });
    const drawn = (await page.locator('#architecture').textContent()) ?? '';
    const listed = (await page.locator('#resources').textContent()) ?? '';
    for (const [logicalId, resource] of runtime.stack.resources) {
      expect(`${drawn}\n${listed}`, `${logicalId} (${resource.type}) is not on the dashboard`).toContain(logicalId.slice(0, 25));
      expect(listed).toContain(logicalId);
    }
    for (const type of ['API Gateway REST API', 'SNS topic', 'Lambda function', 'EventBridge bus', 'EventBridge rule', 'EventBridge archive', 'dead-letter SQS queue']) {
      expect(drawn).toContain(type);
    }
    expect(await page.locator('#architecture .node').count()).toBe(12);
    expect(drawn).toContain('0 invocations');
    mkdirSync(artifacts, { recursive: true });
    await page.locator('section', { has: page.locator('#architecture') }).screenshot({ path: path.join(artifacts, 'dashboard-architecture.png') });
  });

  it('follows a good event from the API call to the success logger', async () => {
    await page.getByRole('button', { name: 'Send event', exact: true }).click();
    await expect.poll(() => page.locator('#response').innerText(), { message: 'the API never answered' }).toMatch(/^200 /);
    const row = await journeyRow('Success');
    const timeline = await openTimeline(row, output('SuccessLoggerFunctionName'));
    const text = await timeline.innerText();
    for (const step of ['API call GET /prod/SendEvent', 'API answered 200', 'SNS message', `${output('DestinedFunctionName')} attempt 1 succeeded`, 'destination record Success', 'EventBridge event on bus']) {
      expect(text).toContain(step);
    }
    expect(text).toMatch(/rule \S*SuccessRule\S* matched/);
    expect(text).toMatch(/rule \S*FailureRule\S* did not match: detail-type is "Lambda Function Invocation Result - Success"/);
    // The logger's own log lines are in its step.
    expect(await timeline.locator('.step', { hasText: `${output('SuccessLoggerFunctionName')} attempt 1` }).locator('pre.log').innerText()).toContain('START RequestId');
    expect(await row.locator('.status').innerText()).toMatch(/arrived/i);

    // The logger's log group, followed live.
    await page.locator('#group').selectOption(`/aws/lambda/${output('SuccessLoggerFunctionName')}`);
    await expect.poll(() => page.locator('#log').innerText(), { message: 'the log group never showed the logged event' }).toContain('"message": "destination event"');
  });

  it('follows a failing event through its attempts and waits to the failure logger', async () => {
    await page.getByRole('button', { name: 'Send failing event' }).click();
    const row = await journeyRow('RetriesExhausted');
    const timeline = await openTimeline(row, output('FailureLoggerFunctionName'));
    const destined = output('DestinedFunctionName');
    await expect.poll(() => timeline.locator('.step', { hasText: `${destined} attempt` }).count()).toBe(3);
    const attempt = await timeline.locator('.step', { hasText: `${destined} attempt 1 failed` }).innerText();
    expect(attempt).toMatch(/duration \d+ ms/);
    expect(attempt).toMatch(/error \S+: /);
    const waits = timeline.locator('.step', { hasText: 'wait before retry' });
    expect(await waits.count()).toBe(2);
    expect(await waits.nth(0).innerText()).toMatch(/1 min in AWS time[\s\S]*50 ms here/);
    expect(await waits.nth(1).innerText()).toMatch(/2 min in AWS time[\s\S]*100 ms here/);
    expect(await row.locator('.journey-toggle').innerText()).toContain('3 failed attempts');

    // Every hop's payload shows on demand, pretty-printed.
    const record = timeline.locator('.step', { hasText: 'destination record RetriesExhausted' });
    await record.getByRole('button', { name: 'Show payload' }).click();
    const payload = await record.locator('pre.payload').innerText();
    expect(payload).toContain('"condition": "RetriesExhausted"');

    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
    await row.screenshot({ path: path.join(artifacts, 'dashboard-failing-journey.png') });
  });

  it('flags an event no rule matched, naming each rule and the field where its pattern failed', async () => {
    const bus = output('EventBusName');
    await runtime.services.events.putEvents([{ Source: 'someone.else', DetailType: 'Unrelated', Detail: '{"x":1}', EventBusName: bus }]);
    const row = await journeyRow('eventbridge put');
    expect(await row.locator('.status').innerText()).toMatch(/stopped/i);
    const flag = await row.locator('.flag').innerText();
    expect(flag).toMatch(/^no rule matched \(/);
    expect(flag).toContain('source is "someone.else"; the pattern wants ["lambda"]');
  });

  it('filters by status, searches by id, and moves between rows with the keyboard', async () => {
    await page.locator('#status-filter').selectOption('errors');
    await expect.poll(() => page.locator('#journeys > li.journey:not([hidden])').count()).toBe(2);
    expect(await page.locator('#journeys > li.journey:not([hidden])').allInnerTexts()).toEqual([
      expect.stringContaining('no rule matched'),
      expect.stringContaining('RetriesExhausted'),
    ]);
    await page.locator('#status-filter').selectOption('stopped');
    await expect.poll(() => page.locator('#journeys > li.journey:not([hidden])').count()).toBe(1);
    await page.locator('#status-filter').selectOption('all');

    const success = await journeyRow('Success');
    const id = (await success.getAttribute('data-journey'))!;
    await page.locator('#search').fill(id);
    await expect.poll(() => page.locator('#journeys > li.journey:not([hidden])').count()).toBe(1);
    await page.locator('#search').fill('');

    await page.locator('#journeys .journey-toggle').first().focus();
    await page.keyboard.press('ArrowDown');
    const focused = await page.locator('#journeys > li.journey:has(> .journey-toggle:focus)').getAttribute('data-journey');
    expect(focused).toBe(await page.locator('#journeys > li.journey').nth(1).getAttribute('data-journey'));
  });

  it('counts invocations and errors on the architecture as events pass', async () => {
    const destined = page.locator('#architecture .node', { hasText: 'DestinedFunction' });
    await expect.poll(() => destined.locator('.node-counts').textContent(), { message: 'the destined function never showed its invocations' }).toBe('4 invocations · 3 errors');
  });

  it('rebuilds the same requests from /_local/traces after a reload', async () => {
    const before = await page.locator('#journeys > li.journey').count();
    await page.reload();
    await expect.poll(() => page.locator('#journeys > li.journey').count(), { message: 'the requests did not come back after a reload' }).toBe(before);
    expect(await page.locator('#journeys').innerText()).toContain('RetriesExhausted');
  });
});

describe('a journey waiting for a retry', () => {
  it('says so with a countdown', async () => {
    // AWS minutes as local seconds, so the wait is long enough to see.
    const slow = await startLocalForTests({ timeScale: 1 / 60 });
    const tab = await browser.newPage();
    try {
      await tab.goto(`${slow.endpoint}/`);
      await tab.locator('#live.on').waitFor({ timeout: 20_000 });
      await tab.getByRole('button', { name: 'Send failing event' }).click();
      const row = tab.locator('#journeys > li.journey').first();
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 20_000, message: 'the journey never waited for a retry' }).toBe('waiting');
      expect(await row.locator('.countdown').innerText()).toMatch(/^retry in \d/);
      expect(await row.locator('.flag').innerText()).toBe('waiting for retry 1');
    } finally {
      await tab.close();
      await slow.stop();
    }
  });
});
