import { arnField, parseArn } from '../../arn.js';
import type { Clock } from '../../clock.js';
import type { PatternMatcher, RoleCheck, Tracer } from '../../contracts.js';
import type { StackModel } from '../../cloudformation/types.js';
import { AwsError, UnsupportedTemplateError } from '../../protocol/errors.js';
import type { LambdaService } from '../service.js';
import { readSqsMapping, type SqsMappingConfig } from './mapping.js';
import { SqsPoller, type QueueConsumer } from './poller.js';

/** What the event source mappings need from the runtime. */
export interface EventSourceMappingDeps {
  readonly lambda: LambdaService;
  /** The SQS service: queues by ARN, with their visibility timeouts. */
  readonly sqs: QueueConsumer & {
    findQueue(ref: string): { readonly arn: string; readonly settings: { readonly visibilityTimeout: number } } | undefined;
  };
  readonly clock: Pick<Clock, 'toLocalMs' | 'toAwsMs'>;
  readonly tracer?: Tracer;
  readonly matcher?: PatternMatcher;
  /** The execution role's IAM check; without it every role may poll. */
  readonly checkRole?: RoleCheck;
  /** Concurrent batches of a mapping without ScalingConfig.MaximumConcurrency (the runtime's environment cap). */
  readonly defaultConcurrency: number;
}

/** The SQS actions Lambda's poller calls with the execution role (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions). */
const POLLER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'] as const;

interface Mapping {
  readonly config: SqsMappingConfig;
  readonly functionArn: string;
  readonly functionName: string;
  readonly roleArn?: string;
  readonly loadedAt: number;
  readonly visibilityTimeoutSeconds: number;
  readonly functionTimeoutSeconds: number;
  state: 'Enabled' | 'Disabled';
  stateTransitionReason: string;
  poller?: SqsPoller;
}

/**
 * The stack's event source mappings (SQS only): each enabled one runs a
 * poller that feeds its function from its queue. A mapping whose execution
 * role lacks the SQS permissions is disabled with AWS's reason, traced,
 * instead of polling.
 */
export class EventSourceMappings {
  static readonly handledTypes: readonly string[] = ['AWS::Lambda::EventSourceMapping'];

  private readonly mappings: Mapping[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly stack: StackModel,
    private readonly deps: EventSourceMappingDeps,
  ) {}

  /** Read and check every mapping; UnsupportedTemplateError names what cannot run. Nothing polls before `start()`. */
  static fromStack(stack: StackModel, deps: EventSourceMappingDeps): EventSourceMappings {
    const service = new EventSourceMappings(stack, deps);
    for (const resource of stack.resourcesOfType('AWS::Lambda::EventSourceMapping')) {
      const config = readSqsMapping(resource, stack.stackName);
      const fn = deps.lambda.find(config.functionRef);
      if (!fn) throw new UnsupportedTemplateError(config.logicalId, 'Properties.FunctionName', `no function of the stack is ${config.functionRef}`);
      const queue = deps.sqs.findQueue(config.eventSourceArn);
      if (!queue) throw new UnsupportedTemplateError(config.logicalId, 'Properties.EventSourceArn', `no queue of the stack has the ARN ${config.eventSourceArn}`);
      const { functionArn, functionName, timeoutSeconds } = fn.definition.config;
      // CreateEventSourceMapping refuses this (InvalidParameterValueException), so the deploy would fail.
      if (queue.settings.visibilityTimeout < timeoutSeconds) {
        throw new UnsupportedTemplateError(
          config.logicalId,
          'Properties.EventSourceArn',
          `Queue visibility timeout: ${queue.settings.visibilityTimeout} seconds is less than Function timeout: ${timeoutSeconds} seconds`,
        );
      }
      service.mappings.push({
        config,
        functionArn,
        functionName,
        ...(fn.definition.role ? { roleArn: fn.definition.role } : {}),
        loadedAt: fn.loadedAt,
        visibilityTimeoutSeconds: queue.settings.visibilityTimeout,
        functionTimeoutSeconds: timeoutSeconds,
        state: config.enabled ? 'Enabled' : 'Disabled',
        stateTransitionReason: 'USER_INITIATED',
      });
    }
    return service;
  }

  /** Start polling every enabled mapping whose role may read its queue. */
  start(): void {
    if (this.stopping) return;
    for (const mapping of this.mappings) {
      if (mapping.state !== 'Enabled' || mapping.poller) continue;
      const denied = this.roleDenial(mapping);
      if (denied) {
        mapping.state = 'Disabled';
        mapping.stateTransitionReason = denied;
        this.deps.tracer?.record({
          service: 'lambda',
          kind: 'event-source',
          resource: mapping.functionName,
          summary: `event source mapping ${mapping.config.logicalId} (${mapping.config.eventSourceArn}) is not polling: ${denied}`,
          outcome: 'denied',
          reason: denied,
        });
        continue;
      }
      mapping.poller = new SqsPoller({
        mapping: mapping.config,
        functionArn: mapping.functionArn,
        functionName: mapping.functionName,
        queue: this.deps.sqs,
        lambda: this.deps.lambda,
        clock: this.deps.clock,
        visibilityTimeoutSeconds: mapping.visibilityTimeoutSeconds,
        functionTimeoutSeconds: mapping.functionTimeoutSeconds,
        // The mapping, its function and its queue are in one region: the function's.
        region: arnField(mapping.functionArn, 'region') || this.stack.env.region,
        concurrency: mapping.config.maximumConcurrency ?? this.deps.defaultConcurrency,
        ...(this.deps.tracer ? { tracer: this.deps.tracer } : {}),
        ...(this.deps.matcher ? { matcher: this.deps.matcher } : {}),
      });
      mapping.poller.start();
    }
  }

  /** Stop every poller at once (no wait is left behind); resolves when the batches in progress are done. */
  stop(): Promise<void> {
    this.stopping ??= Promise.all(this.mappings.map((m) => m.poller?.stop())).then(() => {});
    return this.stopping;
  }

  /**
   * ListEventSourceMappings of the Lambda endpoint of `region` (the request's signing region; mappings
   * are regional like their functions): optionally of one function (name or ARN) or one source ARN.
   */
  list(filter: { readonly functionName?: string; readonly eventSourceArn?: string; readonly region?: string } = {}): Record<string, unknown>[] {
    const { lambda } = this.deps;
    let functionArn: string | undefined;
    if (filter.functionName !== undefined) {
      try {
        functionArn = lambda.find(lambda.regionalRef(filter.functionName, filter.region))?.definition.config.functionArn;
      } catch {
        // Not a function of this region: none of its mappings either.
      }
      if (!functionArn) return [];
    }
    return this.mappings
      .filter((m) => lambda.isInRegion(m.functionArn, filter.region))
      .filter((m) => (functionArn === undefined || m.functionArn === functionArn) && (filter.eventSourceArn === undefined || m.config.eventSourceArn === filter.eventSourceArn))
      .map((m) => this.describe(m));
  }

  /** GetEventSourceMapping; ResourceNotFoundException for an unknown UUID. */
  get(uuid: string): Record<string, unknown> {
    const mapping = this.mappings.find((m) => m.config.uuid === uuid);
    if (!mapping) throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
    return this.describe(mapping);
  }

  /** The poller of a mapping, by logical id (for tests). */
  pollerOf(logicalId: string): SqsPoller | undefined {
    return this.mappings.find((m) => m.config.logicalId === logicalId)?.poller;
  }

  /** The first denied SQS action's AWS message, or undefined when the role may poll. */
  private roleDenial(mapping: Mapping): string | undefined {
    if (!mapping.roleArn || !this.deps.checkRole) return undefined;
    const via = `event source mapping ${mapping.config.logicalId} of ${mapping.functionName}`;
    for (const action of POLLER_ACTIONS) {
      const denied = this.deps.checkRole(mapping.roleArn, action, mapping.config.eventSourceArn, via, mapping.functionName);
      // CreateEventSourceMapping's InvalidParameterValueException.
      if (denied) return `The provided execution role does not have permissions to call ${action.slice(4)} on SQS`;
    }
    return undefined;
  }

  /** EventSourceMappingConfiguration, as the Lambda API returns it. */
  private describe(m: Mapping): Record<string, unknown> {
    const c = m.config;
    // The mapping lives where its function does (a stack may span regions and accounts).
    const { partition, region, account } = parseArn(m.functionArn) ?? {};
    return {
      UUID: c.uuid,
      EventSourceMappingArn: `arn:${partition}:lambda:${region}:${account}:event-source-mapping:${c.uuid}`,
      BatchSize: c.batchSize,
      MaximumBatchingWindowInSeconds: c.maximumBatchingWindowInSeconds,
      EventSourceArn: c.eventSourceArn,
      FunctionArn: m.functionArn,
      LastModified: Math.floor(m.loadedAt / 1000),
      State: m.state,
      StateTransitionReason: m.stateTransitionReason,
      FunctionResponseTypes: c.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      ...(c.maximumConcurrency === undefined ? {} : { ScalingConfig: { MaximumConcurrency: c.maximumConcurrency } }),
      ...(c.filterPatterns.length === 0 ? {} : { FilterCriteria: { Filters: c.filterPatterns.map((p) => ({ Pattern: JSON.stringify(p) })) } }),
    };
  }
}
