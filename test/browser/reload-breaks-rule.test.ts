/**
 * A rule broken by a hot reload, as a user sees it on the dashboard: on a
 * temporary copy of the project, the success rule's pattern is edited so the
 * destined function's result no longer matches it; after the reload, an event
 * sent from the dashboard is flagged "no rule matched" with the failing field.
 * Before that, a save that does not synthesize shows as an error banner.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { repoRoot } from '../support/local-runtime.js';
import { copyProject } from '../support/project-copy.js';
import { startCli, type CliProcess } from '../support/cli-process.js';
import { waitFor } from '../support/wait-for.js';

/** One synthesis on this shared machine can take a minute or more. */
const SYNTH_MS = 240_000;
const artifacts = path.join(repoRoot, 'test-results');

let project: string;
let proc: CliProcess;
let browser: Browser;
let page: Page;
const rules = () => path.join(project, 'lib', 'destination-rules.ts');

beforeAll(async () => {
  project = copyProject('tdl-browser-reload-');
  proc = await startCli(['--port', '0', '--in-memory'], SYNTH_MS, project);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${proc.endpoint}/`);
}, SYNTH_MS + 60_000);

afterAll(async () => {
  await browser?.close();
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGINT');
    await proc.exited;
  }
  if (project) rmSync(project, { recursive: true, force: true });
});

const until = (what: string, probe: () => boolean, ms: number) =>
  waitFor(probe, what, ms, { intervalMs: 250, context: () => `--- runtime output ---
${proc.out()}` });

describe('reloads on the dashboard', () => {
  it('a save that does not synthesize shows as an error banner with its reason', async () => {
    await page.locator('#live.on').waitFor({ timeout: 20_000 });
    const source = readFileSync(rules(), 'utf8');
    writeFileSync(rules(), `${source}\nexport const broken = ,,, {{\n`);
    await until('a failed reload', () => /reload failed \(synthesis\)/.test(proc.out()), SYNTH_MS);
    const banner = page.locator('#runtime-notice');
    await expect.poll(() => banner.getAttribute('class'), { timeout: 20_000, message: 'the dashboard never showed the failed reload' }).toBe('notice notice-error');
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.locator('.notice-text').innerText()).toContain('reload failed (synthesis); the previous assembly keeps serving');
    expect(await banner.locator('.notice-reason').innerText()).toMatch(/Synthesis of the CDK app .* failed/);
    writeFileSync(rules(), source);
  }, SYNTH_MS + 60_000);
});

describe('a rule pattern broken by a hot reload', () => {
  it('flags the next event "no rule matched", naming the field where the success rule failed', async () => {
    const source = readFileSync(rules(), 'utf8');
    const broken = source.replace('action: [DESTINED_RESULT.action]', "action: ['renamed-action']");
    expect(broken, 'the success rule no longer matches on the result action: update this test').not.toBe(source);
    writeFileSync(rules(), broken);
    await until('a reload line', () => /^reloaded in \d+\.\d+s: .*modified/m.test(proc.out()), SYNTH_MS);
    // The successful reload replaces the error banner with an info line.
    const banner = page.locator('#runtime-notice');
    await expect.poll(() => banner.innerText(), { timeout: 20_000, message: 'the dashboard never showed the reload' }).toMatch(/reloaded in \d+\.\d+s: .*modified \(.*SuccessRule/);
    expect(await banner.getAttribute('class')).toBe('notice notice-info');
    expect(await banner.getAttribute('role')).toBe('status');

    await page.locator('#live.on').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Send event', exact: true }).click();
    await expect.poll(() => page.locator('#response').innerText(), { message: 'the API never answered' }).toMatch(/^200 /);

    const row = page.locator('#journeys > li.journey', { hasText: 'no rule matched' }).first();
    await row.waitFor({ timeout: 30_000 }).catch(() => {
      throw new Error(`No request row flagged "no rule matched" appeared within 30 s\n${proc.out()}`);
    });
    expect(await row.locator('.status').innerText()).toMatch(/stopped/i);
    const flag = await row.locator('.flag').innerText();
    expect(flag).toMatch(/^no rule matched \(/);
    expect(flag).toContain('detail.responsePayload.action is "message"; the pattern wants ["renamed-action"]');

    mkdirSync(artifacts, { recursive: true });
    await row.screenshot({ path: path.join(artifacts, 'dashboard-reload-broken-rule.png') });
  }, SYNTH_MS + 60_000);
});
