import path from 'node:path';
import type { StackModel } from '../cloudformation/types.js';
import { NoStateStore } from './memory.js';
import { openSqliteState, type SqliteStateStore } from './sqlite.js';
import type { DroppedState, Owner, StateStore } from './types.js';

/** Where the runtime keeps state; absent means in memory only (`--in-memory`). */
export interface StateOptions {
  /** Directory of the state files, e.g. `<project>/.local`. */
  readonly dir: string;
  /** Discard the state first (`--fresh`). */
  readonly fresh?: boolean;
}

/** Open the stack's state (or the in-memory stand-in), saying what was discarded. */
export function openState(options: StateOptions | undefined, stack: StackModel, port: number, print: (line: string) => void): StateStore {
  if (!options) return new NoStateStore();
  const store = openSqliteState({ dir: options.dir, stackName: stack.stackName, port, ...(options.fresh ? { fresh: true } : {}) });
  if (options.fresh) print(`--fresh: discarded the saved state in ${displayPath(store.location)}`);
  return store;
}

/** Every resource of the stack, as state owners. */
export function ownersOf(stack: StackModel): Owner[] {
  return [...stack.resources.values()].map((r) => ({ logicalId: r.logicalId, type: r.type }));
}

/** One line per piece of state dropped because the new assembly has no owner for it. */
export function describeDropped(dropped: readonly DroppedState[]): string[] {
  const noun: Record<string, string> = {
    'lambda-async-event': 'async event(s)',
    'lambda-event-invoke-config': 'event invoke config(s) set through the API of',
    'sqs-message': 'SQS message(s)',
    'sqs-queue': 'SQS queue(s) created through the API by',
    'sns-delivery': 'SNS delivery(ies)',
    'sns-subscription': 'SNS subscription(s) made through the API by',
    'eventbridge-delivery': 'EventBridge target delivery(ies)',
    'eventbridge-archive-event': 'archived EventBridge event(s)',
    'eventbridge-replay': 'EventBridge replay(s) of',
    'eventbridge-rule': 'EventBridge rule(s) made through the API by',
    'log-events': 'log event(s) of log group',
  };
  return dropped.map((d) => `dropped ${d.count} saved ${noun[d.kind] ?? d.kind} ${d.owner.logicalId}: ${d.reason}`);
}

/** "resumed 15 async events, 3 SQS messages, 2,310 log events from .local/" */
export function describeResumed(counts: { asyncEvents: number; sqsMessages: number; logEvents: number; other?: readonly string[] }, store: StateStore): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const parts = [`${n(counts.asyncEvents)} async events`, `${n(counts.sqsMessages)} SQS messages`, ...(counts.other ?? []), `${n(counts.logEvents)} log events`];
  return `resumed ${parts.join(', ')} from ${displayPath(path.dirname(store.location))}${path.sep}`;
}

export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

export type { SqliteStateStore };
