/**
 * Nothing accepted is lost: the runtime is killed (SIGKILL), stopped
 * (SIGINT) or loses an execution environment in the middle of retries and
 * visibility timeouts, and after a restart on the same state every event
 * reaches its logger with the invoke count and condition AWS would give.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { chainClients, filterAllLogEvents, loggedEvent } from '../../scripts/chain-api.js';
import { assemblyForTests } from '../support/local-runtime.js';
import { childPids, runCliToExit, startCli, type CliProcess } from '../support/cli-process.js';
import { stateFile } from '../../local/state/sqlite.js';
import { waitForValue } from '../support/wait-for.js';

const STACK = 'TheDestinedLambdaStack';
const FAILURE_LOGGER = `/aws/lambda/${STACK}-failure-logger`;
const dirs: string[] = [];
const running: CliProcess[] = [];

afterEach(async () => {
  for (const proc of running.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(stateDir: string): Promise<CliProcess> {
  // An AWS minute is a local second: the first retry comes 1 s after the first attempt.
  const proc = await startCli(['--assembly', await assemblyForTests(), '--port', '0', '--time-scale', '1/60', '--state', stateDir]);
  running.push(proc);
  return proc;
}

function tempState(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tdl-durable-'));
  dirs.push(dir);
  return dir;
}

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000) => waitForValue(probe, what, ms, { intervalMs: 100 });

/** Saved async events of the destined function in each phase, read beside the running runtime. */
function savedPhases(stateDir: string): Record<string, number> {
  const db = new Database(stateFile(stateDir, STACK), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT value FROM records WHERE kind = 'lambda-async-event' AND owner_id LIKE 'DestinedFunction%'`).all() as { value: string }[];
    const phases: Record<string, number> = {};
    for (const { value } of rows) {
      const phase = (JSON.parse(value) as { phase: string; attempts: number }).phase;
      phases[phase] = (phases[phase] ?? 0) + 1;
    }
    return phases;
  } finally {
    db.close();
  }
}

async function sendFailures(proc: CliProcess, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${proc.sendEventUrl}?mode=fail`);
    expect(response.status).toBe(200);
    ids.push(((await response.json()) as { messageId: string }).messageId);
  }
  return ids;
}

/** Each message's failure-logger events, once every message has at least one. */
async function failureLogged(proc: CliProcess, messageIds: readonly string[], since: number) {
  const clients = chainClients(proc.endpoint);
  return until(`every message reaches the failure logger`, async () => {
    const events = await filterAllLogEvents(clients, FAILURE_LOGGER, '"destination event"', since);
    const byMessage = new Map<string, Record<string, any>[]>();
    for (const e of events) {
      const logged = loggedEvent(e.message ?? '');
      const id = logged?.detail?.requestPayload?.Records?.[0]?.Sns?.MessageId as string | undefined;
      if (id) byMessage.set(id, [...(byMessage.get(id) ?? []), logged!]);
    }
    return messageIds.every((id) => byMessage.has(id)) ? byMessage : undefined;
  }, 45_000);
}

function expectExhausted(byMessage: Map<string, Record<string, any>[]>, messageIds: readonly string[]): void {
  for (const id of messageIds) {
    const events = byMessage.get(id)!;
    // At-least-once: a duplicate is allowed after a crash, a loss or a wrong count is not.
    for (const event of events) {
      expect(event['detail-type']).toBe('Lambda Function Invocation Result - Failure');
      expect(event.detail.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
      expect(event.detail.responsePayload.errorMessage).toMatch(/asked to fail/);
    }
  }
}

describe('durable state across kills and restarts', () => {
  for (const signal of ['SIGKILL', 'SIGINT'] as const) {
    it(`${signal} while events wait for a retry: after a restart each reaches the failure logger with RetriesExhausted and invoke count 3`, async () => {
      const stateDir = tempState();
      const since = Date.now() - 1_000;
      const first = await start(stateDir);
      const messageIds = await sendFailures(first, 5);
      await until('5 events saved waiting for a retry', () => ((savedPhases(stateDir).retry ?? 0) >= 5 ? true : undefined), 20_000);
      first.child.kill(signal);
      expect(await first.exited).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 0);

      const second = await start(stateDir);
      expect(second.out()).toMatch(/resumed \d+ async events, \d+ SQS messages, [\d,]+ log events from /);
      const resumed = Number(/resumed (\d+) async events/.exec(second.out())![1]);
      expect(resumed).toBeGreaterThanOrEqual(5);
      expectExhausted(await failureLogged(second, messageIds, since), messageIds);
      // The first run's log events came back too.
      const clients = chainClients(second.endpoint);
      const firstRun = await filterAllLogEvents(clients, `/aws/lambda/${STACK}-destined`, '"asked to fail"', since);
      expect(firstRun.length).toBeGreaterThanOrEqual(5);
    });
  }

  it('SIGKILL while an SQS message is in flight: after a restart it is received again once its visibility ends, with receive count 2', async () => {
    const stateDir = tempState();
    const first = await start(stateDir);
    const sqs = (endpoint: string) =>
      new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const queueUrl = await until('the subscription DLQ URL', async () => {
      const { ListQueuesCommand } = await import('@aws-sdk/client-sqs');
      const { QueueUrls } = await sqs(first.endpoint).send(new ListQueuesCommand({}));
      return QueueUrls?.find((u) => u.includes('SubscriptionDlq'));
    });
    const { MessageId } = await sqs(first.endpoint).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'kept' }));
    // 60 AWS seconds of visibility: one local second.
    const received = await sqs(first.endpoint).send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 60, MessageSystemAttributeNames: ['All'] }));
    expect(received.Messages?.[0]?.MessageId).toBe(MessageId);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start(stateDir);
    expect(second.out()).toMatch(/resumed \d+ async events, 1 SQS messages/);
    const again = await until('the message is visible again', async () => {
      const r = await sqs(second.endpoint).send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
      );
      return r.Messages?.[0];
    });
    expect(again.MessageId).toBe(MessageId);
    expect(again.Body).toBe('kept');
    expect(again.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it("killing the destined function's environments mid-run is a function error like any other: each event still ends RetriesExhausted with 3 attempts", async () => {
    const stateDir = tempState();
    const since = Date.now() - 1_000;
    const proc = await start(stateDir);
    const pid = proc.child.pid!;
    const before = new Set(childPids(pid));
    const messageIds = await sendFailures(proc, 3);
    // Kill every environment the runtime starts for the next two seconds, whatever it is doing.
    let killed = 0;
    const deadline = Date.now() + 2_000;
    while (Date.now() < deadline) {
      for (const child of childPids(pid)) {
        if (before.has(child)) continue;
        try {
          process.kill(child, 'SIGKILL');
          killed += 1;
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(killed).toBeGreaterThan(0);
    expectExhausted(await failureLogged(proc, messageIds, since), messageIds);
  });
});

describe('what the APIs change survives a kill', () => {
  it('SIGKILL after CreateLogGroup, PutFunctionEventInvokeConfig and a replay: after a restart all three answer as before', async () => {
    const { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const { LambdaClient, PutFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand } = await import('@aws-sdk/client-lambda');
    const { EventBridgeClient, ListArchivesCommand, StartReplayCommand, DescribeReplayCommand } = await import('@aws-sdk/client-eventbridge');
    const config = (endpoint: string) => ({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const stateDir = tempState();
    const first = await start(stateDir);
    const logs = new CloudWatchLogsClient(config(first.endpoint));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/made/by/the/api' }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/made/by/the/api', retentionInDays: 3 }));
    await new LambdaClient(config(first.endpoint)).send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: `${STACK}-destined`, MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 }),
    );
    const events = new EventBridgeClient(config(first.endpoint));
    const archive = (await events.send(new ListArchivesCommand({}))).Archives![0]!;
    const source = archive.EventSourceArn!;
    await events.send(
      new StartReplayCommand({
        ReplayName: 'before-the-kill',
        EventSourceArn: source.replace(/event-bus\/.*/, `archive/${archive.ArchiveName}`),
        EventStartTime: new Date(Date.now() - 60_000),
        EventEndTime: new Date(),
        Destination: { Arn: source },
      }),
    );
    const done = await until('the replay completes', async () => {
      const r = await events.send(new DescribeReplayCommand({ ReplayName: 'before-the-kill' }));
      return r.State === 'COMPLETED' ? r : undefined;
    });
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await start(stateDir);
    expect(second.out()).toMatch(/1 EventBridge replays/);
    const groups = await new CloudWatchLogsClient(config(second.endpoint)).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/made/by/' }));
    expect(groups.logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([['/made/by/the/api', 3]]);
    const invokeConfig = await new LambdaClient(config(second.endpoint)).send(new GetFunctionEventInvokeConfigCommand({ FunctionName: `${STACK}-destined` }));
    expect(invokeConfig).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 600 });
    const replay = await new EventBridgeClient(config(second.endpoint)).send(new DescribeReplayCommand({ ReplayName: 'before-the-kill' }));
    expect(replay).toMatchObject({ State: 'COMPLETED', ReplayArn: done.ReplayArn, EventSourceArn: done.EventSourceArn });
    expect(replay.ReplayEndTime).toEqual(done.ReplayEndTime);
  });
});

describe('state files the runtime refuses', () => {
  it('a corrupt state file stops the start with the --fresh hint; --fresh discards it and says so', async () => {
    const stateDir = tempState();
    writeFileSync(stateFile(stateDir, STACK), 'not a database '.repeat(100));
    const refused = await runCliToExit(['--assembly', await assemblyForTests(), '--port', '0', '--state', stateDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/state file .*TheDestinedLambdaStack\.sqlite is corrupt.*--fresh/);

    const fresh = await startCli(['--assembly', await assemblyForTests(), '--port', '0', '--state', stateDir, '--fresh']);
    running.push(fresh);
    expect(fresh.out()).toMatch(/--fresh: discarded the saved state in .*TheDestinedLambdaStack\.sqlite/);
    expect(fresh.out()).toMatch(/resumed 0 async events, 0 SQS messages, 0 log events/);
  });
});
