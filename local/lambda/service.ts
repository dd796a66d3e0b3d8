import { defaultMaxEnvironments } from './environments.js';
import { randomUUID } from 'node:crypto';
import { arnField } from '../arn.js';
import { traceParsedPayload, tracePayload, traceText } from '../tracing.js';
import type { ExecutionRoles, FunctionIdentity, InvocationType, InvokeCaller, InvokeResult, LambdaInvoker, LogSink, Sinks, Tracer } from '../contracts.js';
import type { Clock } from '../clock.js';
import type { StackModel } from '../cloudformation/types.js';
import { AwsError } from '../protocol/errors.js';
import { isParsedJson } from '../eventbridge/envelope.js';
import type { Collection, StateStore } from '../state/types.js';
import { AsyncQueue, type AsyncEventState } from './async-queue.js';
import { LambdaError, functionDoesNotExist, functionNotFound, notReachableMessage } from './errors.js';
import {
  describeEventInvokeConfig,
  effective,
  validateEventInvokeConfig,
  type EffectiveInvokeConfig,
  type EventInvokeConfig,
  type EventInvokeConfigInput,
} from './event-invoke-config.js';
import type { FunctionDefinition } from './function-definition.js';
import { parseFunctionRef, type FunctionRef } from './function-ref.js';
import { checkInvokePermission, resourcePolicy, type PermissionStatement } from './permissions.js';
import { readLambdaResources, refIsFor } from './stack-reader.js';
import { environmentForRegion, servingRegion } from '../cloudformation/environments.js';
import { countingPool, countingTracer, newCounters, type FunctionCounters } from './metrics.js';
import { defaultPoolFactory, isThrottle, type PoolFactory, type PoolLike } from './pool.js';
import { BoundedMemo } from '../bounded-memo.js';

/** The function's invoke check, against its resource policy built once at start-up. */
function invokeChecker(policy: unknown, functionArn: string): (caller: InvokeCaller | undefined) => void {
  return (caller) => checkInvokePermission(policy, caller, functionArn);
}

/**
 * The effective config of the function's current EventInvokeConfig, made
 * again only when the API replaces or deletes it (a config is never changed
 * in place): the queue asks three or four times an event.
 */
function effectiveConfig(current: () => EventInvokeConfig | undefined): () => EffectiveInvokeConfig {
  let seen: EventInvokeConfig | undefined;
  let made: EffectiveInvokeConfig | undefined;
  return () => {
    const config = current();
    if (made === undefined || config !== seen) {
      seen = config;
      made = effective(config);
    }
    return made;
  };
}

/** Most function references kept resolved; beyond, the memo starts over. */
const MAX_RESOLVED_REFS = 256;

/** One function's line in `/_local/metrics`. */
export interface FunctionMetrics extends FunctionCounters {
  readonly environments: number;
  readonly busyEnvironments: number;
  /** Invocations waiting for a free environment (the local cap, not an AWS throttle). */
  readonly waitingInvocations: number;
  readonly environmentsRssBytes: number;
}

/** AWS's payload limits for Invoke: 6 MB synchronous, 1 MB asynchronous (raised from 256 KB in 2025; see the Invoke API reference). */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/** What the Lambda service needs from the runtime. */
export interface LambdaServiceDeps {
  readonly sinks: Sinks;
  readonly logs: LogSink;
  readonly clock: Clock;
  readonly tracer?: Tracer;
  /** Most execution environments per function; invocations beyond wait for one. */
  readonly maxEnvironments?: number;
  /** Idle execution environments are reaped after this long (local ms). */
  readonly idleTimeoutMs?: number;
  readonly onOutput?: (functionName: string, line: string) => void;
  /** `AWS_ENDPOINT_URL` for the functions, so the SDK inside them calls the local runtime instead of AWS. */
  readonly awsEndpointUrl?: string;
  /** Seam for tests; defaults to the real FunctionPool. */
  readonly poolFactory?: PoolFactory;
  /** Where queued async events are kept across restarts; kept in memory only when absent. */
  readonly state?: StateStore;
  /** What each function's execution role allows (IAM); without it every role allows everything. */
  readonly roles?: ExecutionRoles;
}

/** Options of an Invoke beyond the LambdaInvoker contract (the wire API uses them). */
export interface InvokeOptions {
  readonly qualifier?: string;
  /** Overrides the payload limit of the invocation type (InvokeAsync keeps 256 KB). */
  readonly maxPayloadBytes?: number;
  /** The invocation's request id, when the caller already told it to someone (a function URL's event carries it). */
  readonly requestId?: string;
}

/** One function as the service holds it. */
export interface LambdaFunction {
  readonly definition: FunctionDefinition;
  readonly permissions: readonly PermissionStatement[];
  readonly eventInvokeConfig?: EventInvokeConfig;
  /** Epoch ms when the function was loaded (its LastModified). */
  readonly loadedAt: number;
}

interface Entry {
  readonly definition: FunctionDefinition;
  readonly identity: FunctionIdentity;
  readonly pool: PoolLike;
  readonly counters: FunctionCounters;
  readonly queue: AsyncQueue;
  readonly permissions: PermissionStatement[];
  /** Checks an invocation by a service against the permissions as one policy document, built once. */
  readonly checkInvoke: (caller: InvokeCaller | undefined) => void;
  eventInvokeConfig?: EventInvokeConfig;
  /** Where a config changed through the API is kept, so it outlives a restart. */
  readonly configStore?: Collection<SavedInvokeConfig>;
  readonly loadedAt: number;
}

/** An EventInvokeConfig set (or deleted: `config` null) through the API, as the state store keeps it. */
interface SavedInvokeConfig {
  readonly config: EventInvokeConfig | null;
}

const SAVED_CONFIG_ID = '$LATEST';
/** The options of a plain Invoke (none), shared rather than made per call. */
const NO_OPTIONS: InvokeOptions = {};

/** The payload's JSON value; Invoke's InvalidRequestContentException when it is not JSON. */
function parsePayload(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
      400,
    );
  }
}

/**
 * The Lambda service: runs functions on their execution-environment pools,
 * synchronously or through the asynchronous queue with retries,
 * destinations and dead-letter queues, and guards them with their resource
 * policies.
 */
export class LambdaService implements LambdaInvoker {
  static readonly handledTypes: readonly string[] = [
    'AWS::Lambda::Function',
    'AWS::Lambda::EventInvokeConfig',
    'AWS::Lambda::Permission',
  ];

  private readonly functions = new Map<string, Entry>();
  /**
   * Unqualified function references Invoke has resolved (names, ARNs,
   * partial ARNs): ~0.4% of the main thread went to parsing the same few
   * ARNs again. Failures are not kept.
   */
  private readonly resolved = new BoundedMemo<string, Entry>(MAX_RESOLVED_REFS);

  private constructor(
    private readonly stack: StackModel,
    private readonly deps: LambdaServiceDeps,
  ) {}

  /** Build the service from the stack's Lambda resources; throws UnsupportedTemplateError for what it cannot honour. */
  static fromStack(stack: StackModel, deps: LambdaServiceDeps): LambdaService {
    const service = new LambdaService(stack, deps);
    const now = deps.clock.now();
    // Validate everything before any pool exists, so a bad template starts nothing.
    const { definitions, permissionsOf, invokeConfigs } = readLambdaResources(stack, now);
    const factory = deps.poolFactory ?? defaultPoolFactory;
    for (const def of definitions) {
      const name = def.config.functionName;
      const identity: FunctionIdentity = {
        functionName: name,
        functionArn: def.config.functionArn,
        ...(def.role ? { roleArn: def.role } : {}),
        logGroupName: def.config.logGroupName,
      };
      const roles = deps.roles;
      const credentials = roles?.credentialsFor(identity);
      // The deps carry every PoolFactoryOptions member (logs, maxEnvironments, idleTimeoutMs, onOutput, awsEndpointUrl).
      const counters = newCounters();
      const poolOptions = roles
        ? {
            ...deps,
            logs: roles.logsFor(identity, deps.logs),
            ...(deps.onOutput ? { onOutput: (fn: string, line: string) => deps.onOutput!(fn, roles.markOutput(identity, line)) } : {}),
            ...(credentials ? { credentials } : {}),
          }
        : deps;
      const pool = countingPool(factory(def.config, poolOptions), counters);
      const queue = new AsyncQueue({
        clock: deps.clock,
        // Read at call time: the sinks are filled in after every service exists.
        // Destinations and the dead-letter target are reached with the execution role.
        get sinks() {
          // sinksFor wraps a given sinks object once (iam/execution-roles.ts).
          return roles ? roles.sinksFor(identity, deps.sinks) : deps.sinks;
        },
        tracer: countingTracer(deps.tracer, counters),
        functionName: name,
        functionArn: def.config.functionArn,
        pool,
        // The pool's own cap (--max-environments); reserved concurrency wins.
        concurrencyLimit: def.config.reservedConcurrency ?? deps.maxEnvironments ?? defaultMaxEnvironments(),
        // Read per decision, so a PutFunctionEventInvokeConfig applies to queued events.
        config: effectiveConfig(() => service.functions.get(name)?.eventInvokeConfig),
        ...(def.deadLetterTargetArn ? { deadLetterTargetArn: def.deadLetterTargetArn } : {}),
        ...(deps.state
          ? { store: deps.state.collection<AsyncEventState>('lambda-async-event', { logicalId: def.logicalId, type: 'AWS::Lambda::Function' }) }
          : {}),
      });
      const entry: Entry = {
        definition: def,
        identity,
        pool,
        counters,
        queue,
        permissions: permissionsOf.get(name) ?? [],
        checkInvoke: invokeChecker(resourcePolicy(permissionsOf.get(name) ?? [], def.config.functionArn), def.config.functionArn),
        ...(invokeConfigs.has(name) ? { eventInvokeConfig: invokeConfigs.get(name)! } : {}),
        ...(deps.state
          ? { configStore: deps.state.collection<SavedInvokeConfig>('lambda-event-invoke-config', { logicalId: def.logicalId, type: 'AWS::Lambda::Function' }) }
          : {}),
        loadedAt: now,
      };
      service.functions.set(name, entry);
    }
    return service;
  }

  /** Every function, in template order. */
  list(): LambdaFunction[] {
    return [...this.functions.values()].map((e) => this.view(e));
  }

  /** Resolve a name / partial ARN / ARN; `undefined` when no such function. */
  find(ref: string, qualifier?: string): LambdaFunction | undefined {
    const entry = this.lookup(parseFunctionRef(ref, qualifier));
    return entry && this.view(entry);
  }

  /** GetFunction's lookup: like Invoke's, throws ResourceNotFoundException (`Function not found: <arn>`). */
  describe(ref: string, qualifier?: string): LambdaFunction {
    return this.view(this.resolveForInvoke(ref, qualifier));
  }

  /** Not async itself: wrapping invokeWith's promise would cost another promise and three microtasks per call. */
  invoke(functionRef: string, payload: string, invocationType: InvocationType, caller?: InvokeCaller, parsedPayload?: unknown): Promise<InvokeResult> {
    return this.invokeWith(functionRef, payload, invocationType, caller, NO_OPTIONS, parsedPayload);
  }

  /**
   * Invoke, with the wire API's extra options. `parsedPayload`: an internal
   * caller's value whose `JSON.stringify` is `payload` (see LambdaInvoker); the wire API never passes it.
   */
  async invokeWith(
    functionRef: string,
    payload: string,
    invocationType: InvocationType,
    caller: InvokeCaller | undefined,
    options: InvokeOptions,
    parsedPayload?: unknown,
  ): Promise<InvokeResult> {
    const entry = this.resolveForInvoke(functionRef, options.qualifier);
    const { functionName, functionArn } = entry.definition.config;
    const limit = options.maxPayloadBytes ?? (invocationType === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES);
    const size = Buffer.byteLength(payload, 'utf8');
    if (size > limit) {
      throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
    }
    // A handed-over value that parsing would give exactly stands for the parse (JSON.stringify's text is never
    // blank): an SNS or EventBridge event is not parsed again (~1.5 KB, a walk ~4x cheaper than the parse).
    const handedOver = parsedPayload !== undefined && isParsedJson(parsedPayload);
    const body = handedOver || payload.trim() !== '' ? payload : '{}';
    // Parsed once: an async event's trace and invocation record reuse the value.
    const parsed = handedOver ? parsedPayload : parsePayload(body);
    if (caller?.role) {
      const { arn, via, session, assumedBy } = caller.role;
      const denied = this.deps.roles?.checkRole(arn, 'lambda:InvokeFunction', functionArn, via, session, assumedBy);
      if (denied) throw denied;
    }
    try {
      entry.checkInvoke(caller);
    } catch (error) {
      if (caller && error instanceof AwsError) this.deps.roles?.resourcePolicyDenied(entry.identity, caller, error.message);
      throw error;
    }
    const requestId = options.requestId ?? randomUUID();
    const tracer = this.deps.tracer;
    const by = caller?.principal ? ` by ${caller.principal}` : '';
    if (invocationType === 'DryRun') {
      return { statusCode: 204, payload: '', executedVersion: '$LATEST', requestId };
    }
    if (invocationType === 'Event') {
      tracer?.record({
        service: 'lambda',
        kind: 'enqueue',
        resource: functionName,
        summary: `async invoke accepted${by} (202)`,
        ids: { requestId },
        detail: { payload: traceParsedPayload(body, parsed) },
      });
      // A handed-over value's text is its JSON.stringify (LambdaInvoker): a record reuses the text.
      entry.queue.enqueue(requestId, body, parsed, handedOver);
      return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId };
    }
    let execution;
    try {
      execution = await entry.pool.invoke(body, requestId);
    } catch (error) {
      if (isThrottle(error)) {
        const reserved = entry.definition.config.reservedConcurrency !== undefined;
        tracer?.record({ service: 'lambda', kind: 'throttle', resource: functionName, summary: `sync invoke throttled (429)`, ids: { requestId } });
        throw new LambdaError('TooManyRequestsException', 'Rate Exceeded.', 429, {
          Reason: reserved ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : 'ConcurrentInvocationLimitExceeded',
        });
      }
      throw new AwsError('ServiceException', `The local runtime could not run ${functionName}: ${(error as Error)?.message ?? String(error)}`, 500);
    }
    tracer?.record({
      service: 'lambda',
      kind: 'invoke',
      resource: functionName,
      summary: `sync invoke${by}: ${execution.ok ? 'succeeded' : 'failed (Unhandled)'} in ${execution.durationMs.toFixed(0)} ms`,
      ids: { requestId: execution.requestId },
      // As an async attempt's: the dashboard shows the run's duration, answer and log lines.
      detail: { durationMs: execution.durationMs, response: tracePayload(execution.payload), log: traceText(execution.log) },
    });
    return {
      statusCode: 200,
      payload: execution.payload,
      ...(execution.ok ? {} : { functionError: 'Unhandled' as const }),
      executedVersion: '$LATEST',
      requestId: execution.requestId,
      log: execution.log,
    };
  }

  /** GetFunctionEventInvokeConfig. */
  getEventInvokeConfig(ref: string, qualifier?: string): Record<string, unknown> {
    const { entry, qualifiedArn } = this.resolveConfigTarget(ref, qualifier, 'missing-config');
    if (!entry?.eventInvokeConfig) throw this.noConfig(qualifiedArn);
    return describeEventInvokeConfig(entry.eventInvokeConfig, qualifiedArn);
  }

  /** PutFunctionEventInvokeConfig (replace) or UpdateFunctionEventInvokeConfig (merge). */
  putEventInvokeConfig(ref: string, qualifier: string | undefined, input: EventInvokeConfigInput, mode: 'put' | 'update'): Record<string, unknown> {
    const { entry, qualifiedArn } = this.resolveConfigTarget(ref, qualifier, 'missing-function');
    if (!entry) throw functionDoesNotExist();
    if (mode === 'update' && !entry.eventInvokeConfig) throw this.noConfig(qualifiedArn);
    entry.eventInvokeConfig = validateEventInvokeConfig(
      input,
      entry.definition.config.functionArn,
      (arn) => {
        try {
          return this.lookup(parseFunctionRef(arn)) !== undefined;
        } catch {
          return false;
        }
      },
      this.deps.clock.now(),
      mode === 'update' ? entry.eventInvokeConfig : undefined,
    );
    entry.configStore?.save(SAVED_CONFIG_ID, { config: entry.eventInvokeConfig });
    return describeEventInvokeConfig(entry.eventInvokeConfig, qualifiedArn);
  }

  /** DeleteFunctionEventInvokeConfig. */
  deleteEventInvokeConfig(ref: string, qualifier?: string): void {
    const { entry, qualifiedArn } = this.resolveConfigTarget(ref, qualifier, 'missing-config');
    if (!entry?.eventInvokeConfig) throw this.noConfig(qualifiedArn);
    delete entry.eventInvokeConfig;
    // Kept as a deletion, so a config the template sets does not come back on restart.
    entry.configStore?.save(SAVED_CONFIG_ID, { config: null });
  }

  /** ListFunctionEventInvokeConfigs. */
  listEventInvokeConfigs(ref: string): Record<string, unknown>[] {
    const entry = this.lookup(parseFunctionRef(ref));
    if (!entry) throw functionDoesNotExist();
    const config = entry.eventInvokeConfig;
    return config ? [describeEventInvokeConfig(config, `${entry.definition.config.functionArn}:$LATEST`)] : [];
  }

  /** Counters and execution environments of every function, by name. */
  metrics(): Record<string, FunctionMetrics> {
    const metrics: Record<string, FunctionMetrics> = {};
    for (const [name, entry] of this.functions) {
      const stats = entry.pool.stats?.();
      metrics[name] = {
        ...entry.counters,
        environments: stats?.environments ?? 0,
        busyEnvironments: stats?.busyEnvironments ?? 0,
        waitingInvocations: stats?.waiting ?? 0,
        environmentsRssBytes: stats?.rssBytes ?? 0,
      };
    }
    return metrics;
  }

  /** Take up the async events a previous run left in the state store; returns how many. */
  resume(): number {
    let resumed = 0;
    for (const e of this.functions.values()) {
      // Configs first: the resumed events are decided under the config the API last set.
      // A config changed through the API stands over the template's, as on AWS until a deploy changes it.
      const saved = e.configStore?.all()[0];
      if (saved) {
        if (saved.config) e.eventInvokeConfig = saved.config;
        else delete e.eventInvokeConfig;
      }
      resumed += e.queue.resume();
    }
    return resumed;
  }

  /** Resolves when no asynchronous event is pending on any function (destinations may enqueue more). */
  async idle(): Promise<void> {
    for (;;) {
      const busy = [...this.functions.values()].filter((e) => e.queue.pending > 0);
      if (busy.length === 0) return;
      await Promise.all(busy.map((e) => e.queue.idle()));
    }
  }

  /** Abandon pending retries and stop every execution environment. */
  async dispose(): Promise<void> {
    for (const e of this.functions.values()) e.queue.close();
    await Promise.allSettled([...this.functions.values()].map((e) => e.pool.dispose()));
  }

  private view(e: Entry): LambdaFunction {
    return {
      definition: e.definition,
      permissions: e.permissions,
      ...(e.eventInvokeConfig ? { eventInvokeConfig: e.eventInvokeConfig } : {}),
      loadedAt: e.loadedAt,
    };
  }

  private lookup(ref: FunctionRef): Entry | undefined {
    const entry = this.functions.get(ref.name);
    return entry && refIsFor(ref, entry.definition.config.functionArn) ? entry : undefined;
  }

  /**
   * A function reference as the Lambda endpoint of `region` reads it: a name or partial ARN
   * names a function of that region (and of its account); a full ARN of another region is
   * refused as Lambda refuses it. Unchanged when the request names no region.
   */
  regionalRef(ref: string, signedRegion: string | undefined): string {
    if (signedRegion === undefined) return ref;
    const region = servingRegion(this.stack, signedRegion);
    let parsed: FunctionRef;
    try {
      parsed = parseFunctionRef(ref);
    } catch {
      return ref; // The operation answers the validation error itself.
    }
    if (parsed.region !== undefined) {
      if (parsed.region !== region) {
        throw new AwsError('ResourceNotFoundException', notReachableMessage(parsed.region, region), 404);
      }
      return ref;
    }
    const env = environmentForRegion(this.stack, region);
    return `arn:${env.partition}:lambda:${region}:${parsed.account ?? env.account}:function:${parsed.name}${parsed.qualifier ? `:${parsed.qualifier}` : ''}`;
  }

  /** Whether a function ARN is listed by the Lambda endpoint of `region` (the default region's when absent). */
  isInRegion(functionArn: string, signedRegion: string | undefined): boolean {
    return arnField(functionArn, 'region') === servingRegion(this.stack, signedRegion);
  }

  private arnFor(ref: FunctionRef): string {
    const env = this.stack.env;
    return `arn:${env.partition}:lambda:${ref.region ?? env.region}:${ref.account ?? env.account}:function:${ref.name}`;
  }

  private resolveForInvoke(functionRef: string, qualifier?: string): Entry {
    // The functions are fixed at start-up: an unqualified reference resolves the same way every time.
    const unqualified = qualifier === undefined || qualifier === '';
    if (unqualified) {
      const known = this.resolved.get(functionRef);
      if (known) return known;
    }
    const entry = this.resolveRef(functionRef, qualifier);
    return unqualified ? this.resolved.set(functionRef, entry) : entry;
  }

  private resolveRef(functionRef: string, qualifier?: string): Entry {
    const ref = parseFunctionRef(functionRef, qualifier);
    const entry = this.lookup(ref);
    if (!entry || (ref.qualifier !== undefined && ref.qualifier !== '$LATEST')) {
      throw functionNotFound(`${this.arnFor(ref)}${ref.qualifier ? `:${ref.qualifier}` : ''}`);
    }
    return entry;
  }

  private resolveConfigTarget(
    ref: string,
    qualifier: string | undefined,
    onMissing: 'missing-function' | 'missing-config',
  ): { entry: Entry | undefined; qualifiedArn: string } {
    const parsed = parseFunctionRef(ref, qualifier);
    const qualifiedArn = `${this.arnFor(parsed)}:${parsed.qualifier ?? '$LATEST'}`;
    const entry = this.lookup(parsed);
    // Only $LATEST exists locally: a version or alias qualifier names nothing.
    const exists = entry !== undefined && (parsed.qualifier === undefined || parsed.qualifier === '$LATEST');
    if (!exists && onMissing === 'missing-function') throw functionDoesNotExist();
    return { entry: exists ? entry : undefined, qualifiedArn };
  }

  private noConfig(qualifiedArn: string): AwsError {
    return new AwsError('ResourceNotFoundException', `The function ${qualifiedArn} doesn't have an EventInvokeConfig`, 404);
  }
}
