/**
 * Hot reload on a copy of the project, as a user edits their clone while
 * `npm start` runs: a saved change is served without a restart, an event
 * waiting for a retry survives the swap, and a change that does not
 * synthesize leaves the previous assembly serving until the next good save.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainClients, filterAllLogEvents, loggedEvent } from '../../scripts/chain-api.js';
import { copyProject } from '../support/project-copy.js';
import { startCli, type CliProcess } from '../support/cli-process.js';
import { stateFile } from '../../local/state/sqlite.js';
import { waitForValue } from '../support/wait-for.js';

const STACK = 'TheDestinedLambdaStack';
const SUCCESS_LOGGER = `/aws/lambda/${STACK}-success-logger`;
const FAILURE_LOGGER = `/aws/lambda/${STACK}-failure-logger`;
/** One synthesis on this shared machine can take a minute. */
const SYNTH_MS = 240_000;

let project: string;
let stateDir: string;
let proc: CliProcess;
let original: string;
const handler = () => path.join(project, 'lambda', 'destined.ts');

beforeAll(async () => {
  project = copyProject('tdl-reload-');
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'tdl-reload-state-'));
  original = readFileSync(handler(), 'utf8');
  // An AWS minute is 5 local seconds: an event that fails waits 5 s, then 10 s, for its retries.
  proc = await startCli(['--port', '0', '--time-scale', '1/12', '--state', stateDir], SYNTH_MS, project);
}, SYNTH_MS + 30_000);

afterAll(async () => {
  if (process.env.E2E_VERBOSE && proc) console.log(proc.out());
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGINT');
    await proc.exited;
  }
  for (const dir of [project, stateDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms: number) =>
  waitForValue(probe, what, ms, { intervalMs: 200, context: () => `--- runtime output ---
${proc.out()}` });

/** Count of lines of the runtime's output matching `pattern`. */
const count = (pattern: RegExp) => proc.out().split('\n').filter((line) => pattern.test(line)).length;

function save(content: string): void {
  writeFileSync(handler(), content);
}

async function send(mode?: string): Promise<string> {
  const response = await fetch(`${proc.sendEventUrl}${mode ? `?mode=${mode}` : ''}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messageId: string }).messageId;
}

/** The logger's destination event for `messageId`. */
async function logged(group: string, messageId: string, ms = 30_000): Promise<Record<string, any>> {
  const clients = chainClients(proc.endpoint);
  return until(`${group} logs message ${messageId}`, async () => {
    const events = await filterAllLogEvents(clients, group, `"${messageId}"`, 0);
    return events.map((e) => loggedEvent(e.message ?? '')).find((e) => e?.detail?.requestPayload?.Records?.[0]?.Sns?.MessageId === messageId);
  }, ms);
}

function savedPhase(messageId: string): string | undefined {
  const db = new Database(stateFile(stateDir, STACK), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT value FROM records WHERE kind = 'lambda-async-event' AND owner_id LIKE 'DestinedFunction%'`).all() as { value: string }[];
    const row = rows.find((r) => r.value.includes(messageId));
    return row ? (JSON.parse(row.value) as { phase: string }).phase : undefined;
  } finally {
    db.close();
  }
}

describe('hot reload of the app sources', () => {
  it('says at start-up that it watches the sources', () => {
    expect(proc.out()).toMatch(/Watching the app sources/);
  });

  it("a saved change to the destined handler's message: the next event carries the new value", async () => {
    save(original.replace("message: 'hello world'", "message: 'hello reloaded'"));
    await until('a reload line', () => (count(/^reloaded in \d+\.\d+s: /) >= 1 ? true : undefined), SYNTH_MS);
    expect(proc.out()).toMatch(/^reloaded in \d+\.\d+s: .*modified \(.*DestinedFunction.*; functions rebuilt: DestinedFunction/m);
    const event = await logged(SUCCESS_LOGGER, await send());
    expect(event.detail.responsePayload.message).toBe('hello reloaded');
  }, SYNTH_MS + 60_000);

  it('a syntax error keeps the previous assembly serving, says why in the terminal and as a trace', async () => {
    save(original.replace("message: 'hello world'", "message: 'hello reloaded',,, {{"));
    await until('a failed reload', () => (/reload failed \(synthesis\); still serving the previous assembly/.test(proc.out()) ? true : undefined), SYNTH_MS);
    const traces = (await (await fetch(`${proc.endpoint}/_local/traces`)).json()) as { service: string; kind: string; outcome?: string; reason?: string }[];
    const failure = traces.find((t) => t.service === 'runtime' && t.kind === 'reload-failed');
    expect(failure?.outcome).toBe('failed');
    expect(failure?.reason).toMatch(/Synthesis of the CDK app .* failed/);
    const event = await logged(SUCCESS_LOGGER, await send());
    expect(event.detail.responsePayload.message).toBe('hello reloaded');
  }, SYNTH_MS + 60_000);

  it('the fix recovers, and an event waiting for a retry across the swap still ends RetriesExhausted after 3 attempts', async () => {
    const failing = await send('fail');
    await until('the failing event waits for its first retry', () => (savedPhase(failing) === 'retry' ? true : undefined), 20_000);
    const reloadsBefore = count(/^reloaded in /);
    // The original handler: its assembly is the one the runtime started with, so the swap needs no synthesis.
    save(original);
    await until('a second reload', () => (count(/^reloaded in /) > reloadsBefore ? true : undefined), SYNTH_MS);
    expect(await filterAllLogEvents(chainClients(proc.endpoint), FAILURE_LOGGER, `"${failing}"`, 0), 'the failing event finished before the swap').toEqual([]);

    const exhausted = await logged(FAILURE_LOGGER, failing, 45_000);
    expect(exhausted.detail.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    const event = await logged(SUCCESS_LOGGER, await send());
    expect(event.detail.responsePayload.message).toBe('hello world');
  }, SYNTH_MS + 90_000);
});

describe('hot reload flags', () => {
  async function startedOutput(args: readonly string[]): Promise<string> {
    const other = await startCli(['--port', '0', ...args], SYNTH_MS);
    try {
      return other.out();
    } finally {
      other.child.kill('SIGINT');
      await other.exited;
    }
  }

  it('--no-watch serves without watching; --in-memory says that a reload loses pending events', async () => {
    expect(await startedOutput(['--in-memory', '--no-watch'])).not.toMatch(/Watching the app sources/);
    expect(await startedOutput(['--in-memory'])).toMatch(/with --in-memory a reload loses pending events/);
  }, 2 * SYNTH_MS);
});
