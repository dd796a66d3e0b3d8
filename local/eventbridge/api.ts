/**
 * The EventBridge wire API (awsJson 1.1, `X-Amz-Target: AWSEvents.<Op>`):
 * decodes requests, calls the service, shapes responses as AWS does.
 * Timestamps travel as epoch seconds.
 */
import { arnField } from '../arn.js';
import type { PutEventsEntry } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import type { JsonService } from '../protocol/json.js';
import { member } from '../protocol/json-input.js';
import type { ReplayRecord } from './archive.js';
import type { RuleModel, TargetModel } from './model.js';
import type { EventBridgeService } from './service.js';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

const str = (input: Record<string, unknown>, key: string) => member<string>(input, key, 'string');

/** `{ [key]: value }` for a non-empty string member, `{}` otherwise: spread into a service input. */
function optional<K extends string>(input: Record<string, unknown>, key: K): { [P in K]?: string } {
  const value = str(input, key);
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

function required(input: Record<string, unknown>, key: string): string {
  const value = str(input, key);
  if (value === undefined || value === '') {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value null at '${key[0]!.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function ruleOut(rule: RuleModel): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.pattern ? { EventPattern: rule.pattern.source } : {}),
    ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description ? { Description: rule.description } : {}),
    EventBusName: rule.busName,
  };
}

function targetOut(target: TargetModel): Record<string, unknown> {
  const raw = target.raw;
  return {
    Id: target.id,
    Arn: target.arn,
    ...(raw.Input !== undefined ? { Input: raw.Input } : {}),
    ...(raw.InputPath !== undefined ? { InputPath: raw.InputPath } : {}),
    ...(raw.InputTransformer !== undefined ? { InputTransformer: raw.InputTransformer } : {}),
    ...(raw.RoleArn !== undefined ? { RoleArn: raw.RoleArn } : {}),
    ...(raw.RetryPolicy !== undefined ? { RetryPolicy: raw.RetryPolicy } : {}),
    ...(raw.DeadLetterConfig !== undefined ? { DeadLetterConfig: raw.DeadLetterConfig } : {}),
  };
}

function replayOut(r: ReplayRecord): Record<string, unknown> {
  return {
    ReplayName: r.name,
    ReplayArn: r.arn,
    ...(r.description ? { Description: r.description } : {}),
    State: r.state,
    StateReason: r.stateReason,
    EventSourceArn: r.archiveArn,
    Destination: r.destination,
    EventStartTime: seconds(r.startTime),
    EventEndTime: seconds(r.endTime),
    ...(r.lastReplayedTime !== undefined ? { EventLastReplayedTime: seconds(r.lastReplayedTime) } : {}),
    ReplayStartTime: seconds(r.replayStartTime),
    ...(r.replayEndTime !== undefined ? { ReplayEndTime: seconds(r.replayEndTime) } : {}),
  };
}

function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; next?: string } {
  const limit = member<number>(input, 'Limit', 'integer') ?? 100;
  if (limit < 1 || limit > 100) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 100'}`,
    );
  }
  const token = member<string>(input, 'NextToken', 'string');
  // Tokens are the offsets this API handed out; anything else was not issued by it.
  if (token !== undefined && !/^\d+$/.test(token)) throw new AwsError('ValidationException', 'Invalid NextToken');
  const start = token === undefined ? 0 : Number(token);
  const items2 = items.slice(start, start + limit);
  return start + limit < items.length ? { items: items2, next: String(start + limit) } : { items: items2 };
}

/**
 * A required list member of 1 to 10 items of `type` (PutTargets' Targets,
 * RemoveTargets' Ids), with the model's validation messages.
 */
function listOf<T>(input: Record<string, unknown>, key: string, type: 'structure' | 'string'): T[] {
  const list = member<unknown[]>(input, key, 'list');
  const at = `${key[0]!.toLowerCase()}${key.slice(1)}`;
  if (list === undefined) {
    throw new AwsError('ValidationException', `1 validation error detected: Value null at '${at}' failed to satisfy constraint: Member must not be null`);
  }
  if (list.length < 1 || list.length > 10) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${JSON.stringify(list)}' at '${at}' failed to satisfy constraint: Member must have length ${list.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 10'}`,
    );
  }
  return list.map((item, i) => member<T>({ [`${key}.${i + 1}`]: item }, `${key}.${i + 1}`, type) as T);
}

function entriesOf(input: Record<string, unknown>): PutEventsEntry[] {
  const entries = input.Entries;
  if (!Array.isArray(entries)) {
    throw new AwsError(
      'ValidationException',
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  return entries.map((entry: unknown, i) => member<PutEventsEntry>({ [`Entries.${i + 1}`]: entry }, `Entries.${i + 1}`, 'structure') ?? {});
}

/** The JSON service the front door routes `AWSEvents.*` requests to. */
export function eventBridgeApi(service: EventBridgeService): JsonService {
  return {
    targetPrefix: 'AWSEvents',
    version: '1.1',
    operations: {
      PutEvents: (input, scope) => service.putEvents(entriesOf(input), undefined, scope?.region),
      TestEventPattern: (input) => ({
        Result: service.testEventPattern(required(input, 'EventPattern'), required(input, 'Event')),
      }),
      ListRules: (input, scope) => {
        const rules = service.listRules(
          {
            ...optional(input, 'NamePrefix'),
            ...optional(input, 'EventBusName'),
          },
          scope?.region,
        );
        const { items, next } = page(rules, input);
        return { Rules: items.map(ruleOut), ...(next ? { NextToken: next } : {}) };
      },
      DescribeRule: (input, scope) => {
        const rule = service.describeRule(
          {
            Name: required(input, 'Name'),
            ...optional(input, 'EventBusName'),
          },
          scope?.region,
        );
        return { ...ruleOut(rule), CreatedBy: arnField(rule.arn, 'account') };
      },
      ListTargetsByRule: (input, scope) => {
        const targets = service.listTargetsByRule(
          {
            Rule: required(input, 'Rule'),
            ...optional(input, 'EventBusName'),
          },
          scope?.region,
        );
        const { items, next } = page(targets, input);
        return { Targets: items.map(targetOut), ...(next ? { NextToken: next } : {}) };
      },
      PutRule: (input, scope) => ({
        RuleArn: service.putRule(
          {
            Name: required(input, 'Name'),
            ...optional(input, 'EventBusName'),
            ...optional(input, 'EventPattern'),
            ...optional(input, 'ScheduleExpression'),
            ...optional(input, 'State'),
            ...optional(input, 'Description'),
          },
          scope?.region,
        ),
      }),
      PutTargets: (input, scope) =>
        service.putTargets(
          { Rule: required(input, 'Rule'), ...optional(input, 'EventBusName'), Targets: listOf(input, 'Targets', 'structure') },
          scope?.region,
        ),
      RemoveTargets: (input, scope) =>
        service.removeTargets({ Rule: required(input, 'Rule'), ...optional(input, 'EventBusName'), Ids: listOf(input, 'Ids', 'string') }, scope?.region),
      DeleteRule: (input, scope) => {
        service.deleteRule({ Name: required(input, 'Name'), ...optional(input, 'EventBusName') }, scope?.region);
        return {};
      },
      StartReplay: (input) => {
        const dest = member<Record<string, unknown>>(input, 'Destination', 'structure') ?? {};
        const filterArns = member<unknown[]>(dest, 'FilterArns', 'list');
        filterArns?.forEach((value, i) => member({ [`FilterArns.${i + 1}`]: value }, `FilterArns.${i + 1}`, 'string'));
        const record = service.startReplay({
          ReplayName: required(input, 'ReplayName'),
          ...optional(input, 'Description'),
          EventSourceArn: required(input, 'EventSourceArn'),
          EventStartTime: (member<number>(input, 'EventStartTime', 'timestamp') ?? Number.NaN) * 1000,
          EventEndTime: (member<number>(input, 'EventEndTime', 'timestamp') ?? Number.NaN) * 1000,
          Destination: {
            Arn: member<string>(dest, 'Arn', 'string') ?? '',
            ...(filterArns ? { FilterArns: filterArns as string[] } : {}),
          },
        });
        return {
          ReplayArn: record.arn,
          State: 'STARTING',
          StateReason: record.stateReason,
          ReplayStartTime: seconds(record.replayStartTime),
        };
      },
      DescribeReplay: (input) => replayOut(service.describeReplay({ ReplayName: required(input, 'ReplayName') })),
      ListArchives: (input) => {
        const archives = service.listArchives({
          ...optional(input, 'NamePrefix'),
          ...optional(input, 'EventSourceArn'),
        });
        const { items, next } = page(archives, input);
        return {
          Archives: items.map((a) => ({
            ArchiveName: a.model.name,
            EventSourceArn: a.model.sourceArn,
            State: 'ENABLED',
            RetentionDays: a.model.retentionDays,
            SizeBytes: a.sizeBytes,
            EventCount: a.eventCount,
          })),
          ...(next ? { NextToken: next } : {}),
        };
      },
      ListEventBuses: (input, scope) => {
        const prefix = str(input, 'NamePrefix');
        const buses = service.buses.filter((b) => (!prefix || b.name.startsWith(prefix)) && service.isInRegion(b.arn, scope?.region));
        const { items, next } = page(buses, input);
        return { EventBuses: items.map((b) => ({ Name: b.name, Arn: b.arn })), ...(next ? { NextToken: next } : {}) };
      },
    },
  };
}
