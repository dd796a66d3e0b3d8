/** Shared set-up for the execution-environment tests: fixture configs and an in-memory LogSink. */
import { fileURLToPath } from 'node:url';
import type { LogEvent, LogSink } from '../../../local/contracts.js';
import type { FunctionConfig } from '../../../local/lambda/environments.js';

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Absolute directory of a handler fixture under test/fixtures/lambda. */
export function fixtureDir(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/lambda/${name}/`, import.meta.url)).replace(/\/$/, '');
}

export function fixtureConfig(name: string, overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    functionName: `fn-${name}`,
    functionArn: `arn:aws:lambda:eu-west-1:000000000000:function:fn-${name}`,
    handler: 'index.handler',
    codeDir: fixtureDir(name),
    runtime: 'nodejs22.x',
    memorySizeMb: 128,
    timeoutSeconds: 1,
    environment: {},
    logGroupName: `/aws/lambda/fn-${name}`,
    region: 'eu-west-1',
    accountId: '000000000000',
    ...overrides,
  };
}

/** An in-memory LogSink that keeps every event by group and stream. */
export class MemoryLogs implements LogSink {
  readonly groups = new Map<string, Map<string, LogEvent[]>>();

  ensureLogGroup(logGroupName: string): void {
    if (!this.groups.has(logGroupName)) this.groups.set(logGroupName, new Map());
  }

  putLogEvents(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    this.ensureLogGroup(logGroupName);
    const streams = this.groups.get(logGroupName)!;
    const list = streams.get(logStreamName) ?? [];
    list.push(...events);
    streams.set(logStreamName, list);
  }

  /** Every message of a group, stream by stream in creation order. */
  messages(logGroupName: string): string[] {
    return [...(this.groups.get(logGroupName)?.values() ?? [])].flat().map((e) => e.message);
  }
}

/** Splits an Execution's log text into its log events (a multi-line event stays whole). */
export function logLines(log: string): string[] {
  return log.split('\n').filter((line) => line !== '');
}
