/**
 * Rules made through the API (PutRule, PutTargets): their request checks,
 * how they are built into the same RuleModel template rules are, and how the
 * state store keeps them.
 */
import { AwsError } from '../protocol/errors.js';
import type { Owner } from '../state/types.js';
import { parseTarget, TargetError, type EventBusModel, type RuleModel, type TargetModel } from './model.js';
import { compilePattern } from './pattern.js';
import { parseRate } from './schedule.js';

/** A rule PutRule made, as the state store keeps it: its targets as PutTargets gave them. */
export interface PersistedRule {
  readonly input: PutRuleInput;
  readonly arn: string;
  readonly busArn: string;
  readonly targets: readonly Readonly<Record<string, unknown>>[];
}

/**
 * No template resource owns a rule PutRule made, so no change of the
 * assembly drops it (as on AWS). The type is no CloudFormation type, so no
 * resource of the stack can collide with it.
 */
export const API_RULE_OWNER_TYPE = 'AWS::Events::Rule (PutRule)';

/** Owner of the record of every rule PutRule made. */
export const API_RULES_OWNER: Owner = { logicalId: 'PutRule', type: API_RULE_OWNER_TYPE };

/** Owner of the target deliveries waiting for a retry of one rule PutRule made: its ARN, which no logical id can spell. */
export function apiRuleDeliveriesOwner(arn: string): Owner {
  return { logicalId: arn, type: API_RULE_OWNER_TYPE };
}

const STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
const NAME = /^[.\-_A-Za-z0-9]+$/;

const invalid = (message: string) => new AwsError('ValidationException', `1 validation error detected: ${message}`);

/** A rule or target name's model constraints: 1 to 64 of `[.\-_A-Za-z0-9]`. */
export function checkName(value: string, member: string): void {
  if (value.length > 64) throw invalid(`Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 64`);
  if (!NAME.test(value)) {
    throw invalid(`Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  }
}

export interface PutRuleInput {
  readonly Name: string;
  readonly EventBusName?: string;
  readonly EventPattern?: string;
  readonly ScheduleExpression?: string;
  readonly State?: string;
  readonly Description?: string;
}

/**
 * The RuleModel a PutRule request (or a kept record) describes on `bus`,
 * with `targets`. Throws what PutRule answers for a bad request:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
export function buildRule(input: PutRuleInput, bus: EventBusModel, arn: string, targets: readonly TargetModel[]): RuleModel {
  checkName(input.Name, 'name');
  const state = input.State ?? 'ENABLED';
  if (!STATES.includes(state)) {
    throw invalid(`Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [${STATES.join(', ')}]`);
  }
  if (input.Description !== undefined && input.Description.length > 512) {
    throw invalid(`Value '${input.Description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 512`);
  }
  if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
    throw new AwsError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
  }
  // The same compiler as TestEventPattern and template rules: the same InvalidEventPatternException.
  const pattern = input.EventPattern === undefined ? undefined : compilePattern(input.EventPattern);
  let schedulePeriodMs: number | undefined;
  if (input.ScheduleExpression !== undefined) {
    if (bus.name !== 'default') throw new AwsError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
    try {
      schedulePeriodMs = parseRate(input.ScheduleExpression);
    } catch (error) {
      // cron() is valid on AWS but not run here: say so rather than answer as if it were malformed.
      const local = input.ScheduleExpression.startsWith('cron(') ? ` The local runtime: ${(error as Error).message}.` : '';
      throw new AwsError('ValidationException', `Parameter ScheduleExpression is not valid.${local}`);
    }
  }
  return {
    logicalId: arn,
    name: input.Name,
    arn,
    busName: bus.name,
    busArn: bus.arn,
    enabled: state !== 'DISABLED',
    state,
    ...(input.Description ? { description: input.Description } : {}),
    ...(pattern ? { pattern } : {}),
    ...(schedulePeriodMs !== undefined ? { scheduleExpression: input.ScheduleExpression!, schedulePeriodMs } : {}),
    targets,
  };
}

/** The PutRule input that rebuilds `rule`. */
function ruleInput(rule: RuleModel): PutRuleInput {
  return {
    Name: rule.name,
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.pattern ? { EventPattern: rule.pattern.source } : {}),
    ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
  };
}

export function persistedRule(rule: RuleModel): PersistedRule {
  return { input: ruleInput(rule), arn: rule.arn, busArn: rule.busArn, targets: rule.targets.map((t) => t.raw) };
}

/** One target of PutTargets: the target, or its FailedEntries entry. */
export function targetOrFailure(value: unknown, ruleRegion: string): TargetModel | { TargetId?: string; ErrorCode: string; ErrorMessage: string } {
  try {
    return parseTarget(value, ruleRegion);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    const id = (value as Record<string, unknown> | null)?.Id;
    return {
      ...(typeof id === 'string' ? { TargetId: id } : {}),
      ErrorCode: 'ValidationException',
      ErrorMessage: `${error.key ? `${error.key}: ` : ''}${error.message}`,
    };
  }
}
