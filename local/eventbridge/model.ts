/**
 * The EventBridge resources of a stack, read and validated at start-up:
 * buses, rules with their targets, archives. Anything the runtime could not
 * honour faithfully is refused with an UnsupportedTemplateError.
 */
import { arnField } from '../arn.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { arnIsIn, envOf, servedEnvironments } from '../cloudformation/environments.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';
import { compileInputTransformer, parseJsonPath, type InputTransformer, type JsonPath } from './input.js';
import { compilePattern, type CompiledPattern } from './pattern.js';
import { parseRate } from './schedule.js';

export interface EventBusModel {
  readonly name: string;
  readonly arn: string;
}

/** How the target's payload is produced. */
export type TargetInput =
  | { readonly kind: 'event' }
  | { readonly kind: 'constant'; readonly text: string }
  | { readonly kind: 'path'; readonly path: JsonPath; readonly source: string }
  | { readonly kind: 'transformer'; readonly transformer: InputTransformer; readonly source: unknown };

export interface TargetModel {
  readonly id: string;
  readonly arn: string;
  /** Service part of the ARN: lambda, sqs, sns, events. */
  readonly service: 'lambda' | 'sqs' | 'sns' | 'events';
  readonly input: TargetInput;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn?: string;
  readonly roleArn?: string;
  /** The template's target object, for ListTargetsByRule. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface RuleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  /** The rule's bus: the bus of that name in the rule's own account and region. */
  readonly busArn: string;
  readonly enabled: boolean;
  readonly state: string;
  readonly description?: string;
  /** Absent for a purely scheduled rule; `pattern.source` is the pattern text DescribeRule answers. */
  readonly pattern?: CompiledPattern;
  readonly scheduleExpression?: string;
  /** Period of a `rate()` schedule in AWS ms. */
  readonly schedulePeriodMs?: number;
  readonly targets: readonly TargetModel[];
}

export interface ArchiveModel {
  /** The AWS::Events::Archive, which owns the archived events in the state store. */
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly sourceArn: string;
  readonly busName: string;
  readonly pattern?: CompiledPattern;
  readonly retentionDays: number;
  readonly description?: string;
}

/** RetryPolicy defaults documented by EventBridge. */
export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

const HARMLESS = new Set(['Tags', 'Description']);

function checkKnown(resource: StackResource, known: readonly string[]): void {
  for (const key of Object.keys(resource.properties)) {
    if (!known.includes(key) && !HARMLESS.has(key)) {
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, 'not supported by the local EventBridge');
    }
  }
}

/** Bus name from a name or `arn:...:event-bus/NAME`; `default` when absent. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return nameOrArn.startsWith('arn:') && at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
}

export function loadBuses(stack: StackModel): EventBusModel[] {
  // Every account and region has its own default bus.
  const buses: EventBusModel[] = servedEnvironments(stack).map(({ partition, region, account }) => ({
    name: 'default',
    arn: `arn:${partition}:events:${region}:${account}:event-bus/default`,
  }));
  for (const r of stack.resourcesOfType('AWS::Events::EventBus')) {
    // Policy grants other accounts access: nothing to enforce with a single local account.
    // KmsKeyIdentifier / DeadLetterConfig concern encryption failures, which cannot happen locally.
    checkKnown(r, ['Name', 'Policy', 'KmsKeyIdentifier', 'DeadLetterConfig']);
    const { partition, region, account } = envOf(stack, r);
    const name = typeof r.properties.Name === 'string' ? r.properties.Name : r.ref;
    buses.push({ name, arn: r.arn ?? r.attributes.Arn ?? `arn:${partition}:events:${region}:${account}:event-bus/${name}` });
  }
  return buses;
}

/** The bus a name or ARN names, a name in the account and region of `env`. */
function busIn(buses: readonly EventBusModel[], nameOrArn: string | undefined, env: { readonly account: string; readonly region: string }): EventBusModel | undefined {
  if (nameOrArn?.startsWith('arn:')) return buses.find((b) => b.arn === nameOrArn);
  const name = busNameOf(nameOrArn);
  return buses.find((b) => b.name === name && arnIsIn(b.arn, env));
}

function patternOf(r: StackResource, value: unknown): CompiledPattern {
  try {
    return compilePattern(typeof value === 'string' ? value : (value as object));
  } catch (error) {
    const message = error instanceof AwsError ? error.message : String(error);
    throw new UnsupportedTemplateError(r.logicalId, 'Properties.EventPattern', message);
  }
}

export function loadRules(stack: StackModel, buses: readonly EventBusModel[]): RuleModel[] {
  return stack.resourcesOfType('AWS::Events::Rule').map((r) => {
    checkKnown(r, ['Name', 'EventBusName', 'EventPattern', 'State', 'Targets', 'RoleArn', 'ScheduleExpression']);
    const p = r.properties;
    if (p.EventPattern === undefined && p.ScheduleExpression === undefined) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.EventPattern', 'a rule needs an EventPattern or a ScheduleExpression');
    }
    const busName = busNameOf(typeof p.EventBusName === 'string' ? p.EventBusName : undefined);
    let schedulePeriodMs: number | undefined;
    if (p.ScheduleExpression !== undefined) {
      if (busName !== 'default') {
        throw new UnsupportedTemplateError(r.logicalId, 'Properties.ScheduleExpression', 'schedules run only on the default event bus');
      }
      try {
        schedulePeriodMs = parseRate(String(p.ScheduleExpression));
      } catch (error) {
        throw new UnsupportedTemplateError(r.logicalId, 'Properties.ScheduleExpression', (error as Error).message);
      }
    }
    const bus = busIn(buses, typeof p.EventBusName === 'string' ? p.EventBusName : undefined, envOf(stack, r));
    if (!bus) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.EventBusName', `event bus ${busName} is not in the stack`);
    }
    const state = typeof p.State === 'string' ? p.State : 'ENABLED';
    if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.State', `unknown state ${state}`);
    }
    const arn = r.arn ?? r.attributes.Arn!;
    const name = typeof p.Name === 'string' ? p.Name : arn.slice(arn.lastIndexOf('/') + 1);
    const pattern = p.EventPattern === undefined ? undefined : patternOf(r, p.EventPattern);
    const rawTargets = p.Targets === undefined ? [] : p.Targets;
    if (!Array.isArray(rawTargets)) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.Targets', 'must be a list');
    }
    if (rawTargets.length > MAX_TARGETS_PER_RULE) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.Targets', 'a rule can have at most 5 targets');
    }
    const ruleRegion = envOf(stack, r).region;
    const targets = rawTargets.map((t, i) => loadTarget(r, i, t, ruleRegion));
    return {
      logicalId: r.logicalId,
      name,
      arn,
      busName,
      busArn: bus.arn,
      enabled: state !== 'DISABLED',
      state,
      ...(typeof p.Description === 'string' ? { description: p.Description } : {}),
      ...(pattern ? { pattern } : {}),
      ...(schedulePeriodMs !== undefined
        ? { scheduleExpression: String(p.ScheduleExpression), schedulePeriodMs }
        : {}),
      targets,
    };
  });
}

/** At most this many targets a rule, in a template or through PutTargets (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). */
export const MAX_TARGETS_PER_RULE = 5;

const TARGET_KEYS = ['Id', 'Arn', 'Input', 'InputPath', 'InputTransformer', 'RetryPolicy', 'DeadLetterConfig', 'RoleArn'];

function loadTarget(rule: StackResource, index: number, value: unknown, ruleRegion: string): TargetModel {
  try {
    return parseTarget(value, ruleRegion);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    throw new UnsupportedTemplateError(rule.logicalId, `Properties.Targets.${index}${error.key ? `.${error.key}` : ''}`, error.message);
  }
}

/** Why a target object was refused: `key` is the member at fault (empty for the whole target). */
export class TargetError extends Error {
  constructor(
    readonly key: string,
    why: string,
  ) {
    super(why);
  }
}

/**
 * A rule target, as a template's `Targets` item or PutTargets' `Targets`
 * member spell it (the same shape); throws a {@link TargetError} for what
 * the local EventBridge cannot honour. `ruleRegion` is the region of the
 * rule it is a target of.
 */
export function parseTarget(value: unknown, ruleRegion: string): TargetModel {
  const fail = (key: string, why: string): never => {
    throw new TargetError(key, why);
  };
  if (value === null || typeof value !== 'object') fail('', 'a target must be an object');
  const t = value as Record<string, unknown>;
  for (const key of Object.keys(t)) if (!TARGET_KEYS.includes(key)) fail(key, 'not supported by the local EventBridge');
  if (typeof t.Id !== 'string' || t.Id === '') fail('Id', 'required');
  if (typeof t.Arn !== 'string') fail('Arn', 'required');
  const arn = t.Arn as string;
  const service = arnField(arn, 'service');
  if (service !== 'lambda' && service !== 'sqs' && service !== 'sns' && service !== 'events') {
    fail('Arn', `targets of service ${service ?? '?'} are not emulated (lambda, sqs, sns and event buses are)`);
  }
  if (service === 'events' && !arn.includes(':event-bus/')) fail('Arn', 'only event bus ARNs are supported');
  // Only an event bus target may be in another region than its rule:
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html
  const targetRegion = arnField(arn, 'region');
  if (service !== 'events' && targetRegion && targetRegion !== ruleRegion) {
    fail('Arn', `${arn} is in ${targetRegion}, the rule in ${ruleRegion}: EventBridge sends to another region only through an event bus target`);
  }
  const inputs = ['Input', 'InputPath', 'InputTransformer'].filter((k) => t[k] !== undefined);
  if (inputs.length > 1) fail(inputs[1]!, `only one of Input, InputPath and InputTransformer may be set`);
  let input: TargetInput = { kind: 'event' };
  if (t.Input !== undefined) {
    if (typeof t.Input !== 'string') fail('Input', 'must be JSON text');
    try {
      JSON.parse(t.Input as string);
    } catch {
      fail('Input', 'must be valid JSON text');
    }
    input = { kind: 'constant', text: t.Input as string };
  } else if (t.InputPath !== undefined) {
    if (typeof t.InputPath !== 'string') fail('InputPath', 'must be a JSONPath string');
    try {
      input = { kind: 'path', path: parseJsonPath(t.InputPath as string), source: t.InputPath as string };
    } catch (error) {
      fail('InputPath', (error as Error).message);
    }
  } else if (t.InputTransformer !== undefined) {
    try {
      input = { kind: 'transformer', transformer: compileInputTransformer(t.InputTransformer), source: t.InputTransformer };
    } catch (error) {
      fail('InputTransformer', (error as Error).message);
    }
  }
  if (service === 'events' && inputs.length > 0) {
    // The forwarded event is what the next bus matches, so a reshaped payload has no faithful local meaning.
    fail(inputs[0]!, 'not supported by the local EventBridge for an event bus target (the event is forwarded as it is)');
  }
  const retry = (t.RetryPolicy ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(retry)) {
    if (key !== 'MaximumRetryAttempts' && key !== 'MaximumEventAgeInSeconds') fail(`RetryPolicy.${key}`, 'unknown');
  }
  const attempts = retry.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
  const age = retry.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 0 || attempts > 185) {
    fail('RetryPolicy.MaximumRetryAttempts', 'must be an integer from 0 to 185');
  }
  if (typeof age !== 'number' || !Number.isInteger(age) || age < 60 || age > 86_400) {
    fail('RetryPolicy.MaximumEventAgeInSeconds', 'must be an integer from 60 to 86400');
  }
  const dlq = t.DeadLetterConfig as Record<string, unknown> | undefined;
  let deadLetterArn: string | undefined;
  if (dlq !== undefined) {
    if (typeof dlq?.Arn !== 'string' || arnField(dlq.Arn, 'service') !== 'sqs') {
      fail('DeadLetterConfig.Arn', 'must be the ARN of an SQS queue');
    }
    deadLetterArn = dlq!.Arn as string;
  }
  return {
    id: t.Id as string,
    arn,
    service: service as TargetModel['service'],
    input,
    maximumRetryAttempts: attempts as number,
    maximumEventAgeSeconds: age as number,
    ...(deadLetterArn ? { deadLetterArn } : {}),
    ...(typeof t.RoleArn === 'string' ? { roleArn: t.RoleArn } : {}),
    raw: t,
  };
}

export function loadArchives(stack: StackModel, buses: readonly EventBusModel[]): ArchiveModel[] {
  return stack.resourcesOfType('AWS::Events::Archive').map((r) => {
    // KmsKeyIdentifier: encryption at rest is invisible to a local reader.
    checkKnown(r, ['ArchiveName', 'SourceArn', 'EventPattern', 'RetentionDays', 'KmsKeyIdentifier']);
    const p = r.properties;
    if (typeof p.SourceArn !== 'string') {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.SourceArn', 'required (the event bus ARN)');
    }
    const bus = busIn(buses, p.SourceArn, envOf(stack, r));
    if (!bus) throw new UnsupportedTemplateError(r.logicalId, 'Properties.SourceArn', `no event bus ${p.SourceArn}`);
    const pattern = p.EventPattern === undefined ? undefined : patternOf(r, p.EventPattern);
    const retention = p.RetentionDays ?? 0;
    if (typeof retention !== 'number' || retention < 0) {
      throw new UnsupportedTemplateError(r.logicalId, 'Properties.RetentionDays', 'must be a non-negative number');
    }
    const arn = r.arn ?? r.attributes.Arn!;
    return {
      logicalId: r.logicalId,
      name: typeof p.ArchiveName === 'string' ? p.ArchiveName : r.ref,
      arn,
      sourceArn: bus.arn,
      busName: bus.name,
      ...(pattern ? { pattern } : {}),
      retentionDays: retention,
      ...(typeof p.Description === 'string' ? { description: p.Description } : {}),
    };
  });
}
