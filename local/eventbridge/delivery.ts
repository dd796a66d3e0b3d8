/**
 * Delivering one event to one rule target, as EventBridge does: the
 * payload is shaped by the target's input settings; transient failures are
 * retried with exponential back-off and jitter until MaximumRetryAttempts
 * or MaximumEventAgeInSeconds runs out; permission and missing-resource
 * failures are not retried. An undeliverable event goes to the target's
 * dead-letter queue with EventBridge's message attributes.
 */
import type { Clock } from '../clock.js';
import { TRACE_PAYLOAD_LIMIT, tracePayload, traceText } from '../tracing.js';
import type { InvokeCaller, MessageAttributeValue, RoleCheck, Sinks, Tracer } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import { envelopeText, type EventEnvelope } from './envelope.js';
import { applyInputTransformer, readJsonPath } from './input.js';
import type { RuleModel, TargetModel } from './model.js';
import type { Collection } from '../state/types.js';
import { backgroundTurn } from '../background.js';

/** A target delivery waiting for a retry, as the state store keeps it so a restart resumes it. */
export interface TargetRetryState {
  readonly targetId: string;
  readonly event: EventEnvelope;
  readonly ingestionMs: number;
  /** Retries made so far. */
  readonly retries: number;
  /** The back-off base of the next retry (AWS ms). */
  readonly delay: number;
  /** The event's AWS time at local epoch ms `localBase`; time since counts scaled, downtime included. */
  readonly awsBase: number;
  readonly localBase: number;
  /** Local epoch ms of the next attempt. */
  readonly dueAt: number;
}

/** The key of a pending delivery in its rule's collection. */
export const retryKey = (targetId: string, eventId: string) => `${targetId}/${eventId}`;

/** Everything a delivery needs from the service. */
export interface DeliveryDeps {
  readonly sinks: Sinks;
  readonly clock: Clock;
  readonly tracer?: Tracer;
  /** Forward an event to another bus of this runtime (event bus targets). */
  readonly forwardToBus: (busArn: string, event: EventEnvelope) => void;
  /** Aborted when the service is disposed: pending back-offs end at once. */
  readonly signal?: AbortSignal;
  /** Where a rule's deliveries waiting for a retry are kept across restarts. */
  readonly retryStore?: (rule: RuleModel) => Collection<TargetRetryState> | undefined;
  /** IAM for targets with a RoleArn; without it a role allows everything. */
  readonly checkRole?: RoleCheck;
}

/** The action EventBridge needs on a target of each service, when it calls it with the target's role. */
const ROLE_ACTIONS: Readonly<Record<TargetModel['service'], string>> = {
  lambda: 'lambda:InvokeFunction',
  sqs: 'sqs:SendMessage',
  sns: 'sns:Publish',
  events: 'events:PutEvents',
};

/** First retry waits about this long (AWS ms); each later one doubles, up to the cap. */
export const FIRST_RETRY_DELAY_MS = 1_000;
export const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** Why a delivery attempt failed, in DLQ terms. */
interface Failure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** The payload the target receives. */
function targetPayload(target: TargetModel, rule: RuleModel, event: EventEnvelope, ingestionMs: number): string {
  switch (target.input.kind) {
    case 'event':
      return envelopeText(event);
    case 'constant':
      return target.input.text;
    case 'path':
      return JSON.stringify(readJsonPath(event, target.input.path) ?? null);
    case 'transformer':
      return applyInputTransformer(target.input.transformer, event, {
        ruleArn: rule.arn,
        ruleName: rule.name,
        ingestionTime: new Date(ingestionMs).toISOString(),
      });
  }
}

/** A constant input's text as a trace keeps it, parsed once per target (static configuration). */
const constantTraces = new WeakMap<TargetModel, unknown>();

/**
 * `tracePayload(payload)` without parsing what is already in hand: the
 * whole event's payload is `JSON.stringify(event)`, so its parse is `event`
 * again (~2 KB parsed per delivery, only for the trace); a constant input
 * is parsed once per target. The trace shares these values, which nobody changes.
 */
function deliveredPayloadTrace(target: TargetModel, event: EventEnvelope, payload: string): unknown {
  switch (target.input.kind) {
    case 'event':
      // `traceParsedPayload(payload, event)` without reading the payload's first character: it is `{`, and reading
      // it would flatten the payload's pieces here (~1.7 KB copied per delivery in a micro-benchmark).
      return payload.length > TRACE_PAYLOAD_LIMIT ? traceText(payload) : event;
    case 'constant': {
      if (!constantTraces.has(target)) constantTraces.set(target, tracePayload(payload));
      return constantTraces.get(target);
    }
    default:
      return tracePayload(payload);
  }
}

/** The dead-letter error code of an event refused by a second event bus target. */
export const HOP_DETECTED = 'THIRD_ACCOUNT_HOP_DETECTED';

function classify(error: unknown): Failure {
  if (error instanceof AwsError) {
    const code = error.code;
    if (code === HOP_DETECTED) return { code, message: error.message, retryable: false };
    if (code === 'AccessDeniedException' || code === 'AccessDenied' || code === 'AuthorizationError') {
      return { code: 'NO_PERMISSIONS', message: error.message, retryable: false };
    }
    if (/NotFound|NonExistent|DoesNotExist/i.test(code)) {
      return { code: 'NO_RESOURCE', message: error.message, retryable: false };
    }
    if (/Throttl|TooManyRequests|LimitExceeded/i.test(code) || error.statusCode === 429) {
      return { code: 'THROTTLING', message: error.message, retryable: true };
    }
    if (error.statusCode >= 500) return { code: 'INTERNAL_ERROR', message: error.message, retryable: true };
    return { code: 'INVALID_PARAMETER', message: error.message, retryable: false };
  }
  return { code: 'SDK_CLIENT_ERROR', message: error instanceof Error ? error.message : String(error), retryable: true };
}

/** Who EventBridge is when it calls a target or a dead-letter queue for `rule`. */
const callerFor = (rule: RuleModel, event: EventEnvelope): InvokeCaller => ({
  principal: 'events.amazonaws.com',
  sourceArn: rule.arn,
  sourceAccount: event.account,
});

async function attempt(deps: DeliveryDeps, target: TargetModel, rule: RuleModel, event: EventEnvelope, payload: string): Promise<Record<string, string>> {
  // With a RoleArn EventBridge calls the target as that role, not as its service principal.
  if (target.roleArn) {
    const via = `target ${target.id} of rule ${rule.name}`;
    // The role must trust events.amazonaws.com: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-iam-roles.html
    const denied = deps.checkRole?.(target.roleArn, ROLE_ACTIONS[target.service], target.arn, via, undefined, 'events.amazonaws.com');
    if (denied) throw denied;
  }
  const caller = target.roleArn ? {} : callerFor(rule, event);
  // The id the target gave the delivery, so a trace links the event to what it started.
  switch (target.service) {
    case 'lambda':
      // The whole event's payload is JSON.stringify(event): Lambda takes the event with it instead of parsing it again.
      return { lambdaRequestId: (await deps.sinks.lambda.invoke(target.arn, payload, 'Event', caller, target.input.kind === 'event' ? event : undefined)).requestId };
    case 'sqs':
      return { sqsMessageId: (await deps.sinks.sqs.sendMessage(target.arn, payload, undefined, caller)).MessageId };
    case 'sns':
      return { snsMessageId: (await deps.sinks.sns.publish({ TopicArn: target.arn, Message: payload }, caller)).MessageId };
    case 'events':
      deps.forwardToBus(target.arn, event);
      return {};
  }
}

/**
 * Deliver `event` to `target`, retrying per its policy; resolves when it is
 * delivered, dead-lettered or dropped. Never rejects.
 *
 * One function without inner closures: under tsx (keepNames) each closure made per delivery also costs a
 * defineProperty of its name, ~3% of the CPU of a destination -> EventBridge -> target micro-benchmark.
 */
export async function deliver(
  deps: DeliveryDeps,
  rule: RuleModel,
  target: TargetModel,
  event: EventEnvelope,
  ingestionMs: number,
  resumeFrom?: TargetRetryState,
): Promise<void> {
  const ids = { eventId: event.id };
  const store = deps.retryStore?.(rule);
  // Only a kept delivery needs its key: without a store, no string is built for each delivery.
  const key = store ? retryKey(target.id, event.id) : '';
  let saved = resumeFrom !== undefined;
  try {
    // PutEvents answers first; a delivery is background work (see local/background.ts).
    await backgroundTurn();
    let payload: string;
    try {
      payload = targetPayload(target, rule, event, ingestionMs);
    } catch (error) {
      return await deadLetter(deps, rule, target, event, { code: 'INVALID_JSON', message: String(error), retryable: false }, 0, undefined);
    }
    const deadline = ingestionMs + target.maximumEventAgeSeconds * 1000;
    let retries = resumeFrom?.retries ?? 0;
    let delay = resumeFrom?.delay ?? FIRST_RETRY_DELAY_MS;
    // Ages are measured in AWS time: local elapsed time scaled back up.
    let awsBase = resumeFrom?.awsBase ?? ingestionMs;
    let localBase = resumeFrom?.localBase ?? deps.clock.now();
    if (resumeFrom) {
      // A retry due while the runtime was down runs at once.
      const remaining = resumeFrom.dueAt - deps.clock.now();
      if (remaining > 0) {
        try {
          await deps.clock.sleep(deps.clock.toAwsMs(remaining), deps.signal);
        } catch {
          return;
        }
      }
    }
    for (;;) {
      let failure: Failure;
      try {
        const targetIds = await attempt(deps, target, rule, event, payload);
        deps.tracer?.record({
          service: 'eventbridge',
          kind: 'deliver',
          resource: rule.name,
          summary: `${rule.name} -> ${target.arn}${retries ? ` (after ${retries} retries)` : ''}`,
          ids: { ...ids, ...targetIds },
          detail: { target: target.arn, payload: deliveredPayloadTrace(target, event, payload) },
        });
        return;
      } catch (error) {
        failure = classify(error);
      }
      if (!failure.retryable) return await deadLetter(deps, rule, target, event, failure, retries, undefined);
      if (retries >= target.maximumRetryAttempts) {
        return await deadLetter(deps, rule, target, event, failure, retries, 'MaximumRetryAttempts');
      }
      const wait = delay * (0.5 + Math.random() * 0.5);
      if (awsTime(deps, awsBase, localBase) + wait > deadline) {
        return await deadLetter(deps, rule, target, event, failure, retries, 'MaximumEventAgeInSeconds');
      }
      retries++;
      deps.tracer?.record({
        service: 'eventbridge',
        kind: 'retry',
        resource: rule.name,
        summary: `${rule.name} -> ${target.arn} failed (${failure.code}: ${failure.message}); retry ${retries}`,
        ids,
      });
      if (store) {
        awsBase = awsTime(deps, awsBase, localBase);
        localBase = deps.clock.now();
        store.save(key, {
          targetId: target.id,
          event,
          ingestionMs,
          retries,
          delay: Math.min(delay * 2, MAX_RETRY_DELAY_MS),
          awsBase,
          localBase,
          dueAt: localBase + deps.clock.toLocalMs(wait),
        });
        saved = true;
      }
      try {
        await deps.clock.sleep(wait, deps.signal);
      } catch {
        return; // disposed: abandon the retry, as a stopped runtime would
      }
      delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
    }
  } finally {
    if (saved && !deps.signal?.aborted) store?.remove(key);
  }
}

/** The event's AWS time now, from its AWS time `awsBase` at local time `localBase`: local time since, scaled up. */
function awsTime(deps: DeliveryDeps, awsBase: number, localBase: number): number {
  return awsBase + deps.clock.toAwsMs(deps.clock.now() - localBase);
}

async function deadLetter(
  deps: DeliveryDeps,
  rule: RuleModel,
  target: TargetModel,
  event: EventEnvelope,
  failure: Failure,
  retries: number,
  exhausted: string | undefined,
): Promise<void> {
  const ids = { eventId: event.id };
  if (!target.deadLetterArn) {
    deps.tracer?.record({
      service: 'eventbridge',
      kind: 'drop',
      resource: rule.name,
      summary: `${rule.name} -> ${target.arn} undeliverable (${failure.code}); dropped (no dead-letter queue)`,
      ids,
      outcome: failure.code === 'NO_PERMISSIONS' ? 'denied' : 'failed',
      reason: `event dropped: ${target.arn} refused it (${failure.code})`,
    });
    return;
  }
  const attr = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  const attributes: Record<string, MessageAttributeValue> = {
    RULE_ARN: attr(rule.arn),
    TARGET_ARN: attr(target.arn),
    ERROR_CODE: attr(failure.code),
    ERROR_MESSAGE: attr(failure.message),
    RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(retries) },
    ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attr(exhausted) } : {}),
  };
  try {
    await deps.sinks.sqs.sendMessage(target.deadLetterArn, envelopeText(event), attributes, callerFor(rule, event));
    deps.tracer?.record({
      service: 'eventbridge',
      kind: 'dead-letter',
      resource: rule.name,
      summary: `${rule.name} -> ${target.arn} failed (${failure.code}); event sent to ${target.deadLetterArn}`,
      ids,
      outcome: failure.code === 'NO_PERMISSIONS' ? 'denied' : 'failed',
      reason: `event in dead-letter queue ${target.deadLetterArn} (${failure.code})`,
      detail: { errorCode: failure.code, errorMessage: failure.message, retries },
    });
  } catch (error) {
    deps.tracer?.record({
      service: 'eventbridge',
      kind: 'drop',
      resource: rule.name,
      summary: `${rule.name}: dead-letter queue ${target.deadLetterArn} refused the event (${(error as Error).message})`,
      ids,
    });
  }
}
