import type { StackModel } from '../../../local/cloudformation/types.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';
import type {
  EventBusSink,
  InvokeCaller,
  InvokeResult,
  LambdaInvoker,
  MessageAttributeValue,
  PublishInput,
  PutEventsEntry,
  QueueSink,
  Sinks,
  TopicSink,
  TraceEvent,
  Tracer,
} from '../../../local/contracts.js';
import { ThrottledError, type Execution, type FunctionConfig } from '../../../local/lambda/environments.js';
import type { PoolFactory, PoolLike } from '../../../local/lambda/pool.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const arnOf = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

export interface ResourceSpec {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly ref?: string;
  readonly arn?: string;
}

/** A hand-made StackModel: enough for the Lambda service's fromStack. */
export function makeStack(specs: readonly ResourceSpec[], codeDir = '/tmp/code'): StackModel {
  const resources = specs.map((s) => {
    const ref = s.ref ?? s.logicalId;
    const arn = s.arn ?? (s.type === 'AWS::Lambda::Function' ? arnOf(ref) : undefined);
    return fakeResource(s.logicalId, s.type, s.properties, { ref, ...(arn ? { arn, attributes: { Arn: arn } } : {}) });
  });
  return fakeStack(resources, { stackName: 'Test', account: ACCOUNT, region: REGION, assemblyDir: '/tmp/cdk.out', codeDir });
}

/** An AWS::Lambda::Function spec with sensible defaults. */
export function fn(name: string, extra: Record<string, unknown> = {}): ResourceSpec {
  return {
    logicalId: name,
    type: 'AWS::Lambda::Function',
    properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { S3Bucket: 'b', S3Key: 'k.zip' }, Role: 'arn:aws:iam::000000000000:role/r', ...extra },
  };
}

export function invokeConfig(functionName: string, props: Record<string, unknown>): ResourceSpec {
  return {
    logicalId: `${functionName}EventInvokeConfig`,
    type: 'AWS::Lambda::EventInvokeConfig',
    properties: { FunctionName: functionName, Qualifier: '$LATEST', ...props },
  };
}

/** What a fake handler answers: ok or a function error. */
export type FakeHandler = (payload: string, attempt: number) => { ok: boolean; result: unknown };

export const succeed: FakeHandler = (payload) => ({ ok: true, result: { echoed: JSON.parse(payload) as unknown } });
export const fail: FakeHandler = () => ({
  ok: false,
  result: { errorType: 'Error', errorMessage: 'intentional failure', trace: ['Error: intentional failure', '    at handler (index.mjs:1:1)'] },
});

/** A pool that runs a function in-process, counts calls, and throttles on demand. */
export class FakePool implements PoolLike {
  calls: { payload: string; requestId?: string }[] = [];
  /** The next N invocations are throttled. */
  throttleNext = 0;
  /** Throttle beyond this many concurrent invocations, as the real pool does. */
  cap = Infinity;
  /** Real milliseconds each invocation takes. */
  latencyMs = 0;
  busy = 0;
  maxBusy = 0;
  disposed = false;

  constructor(
    readonly config: FunctionConfig,
    public handler: FakeHandler,
  ) {}

  async invoke(payload: string, requestId?: string): Promise<Execution> {
    if (this.throttleNext > 0 || this.busy >= this.cap) {
      this.throttleNext = Math.max(0, this.throttleNext - 1);
      throw new ThrottledError();
    }
    this.busy += 1;
    this.maxBusy = Math.max(this.maxBusy, this.busy);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.busy -= 1;
    this.calls.push({ payload, ...(requestId ? { requestId } : {}) });
    const id = requestId ?? crypto.randomUUID();
    const { ok, result } = this.handler(payload, this.calls.length);
    return {
      requestId: id,
      ok,
      payload: JSON.stringify(result),
      log: `START RequestId: ${id} Version: $LATEST\nEND RequestId: ${id}\nREPORT RequestId: ${id}\tDuration: 1.00 ms`,
      durationMs: 1,
    };
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return Promise.resolve();
  }
}

/** A pool factory whose pools tests can reach by function name. */
export function fakePools(handlers: Record<string, FakeHandler>): { factory: PoolFactory; pools: Map<string, FakePool> } {
  const pools = new Map<string, FakePool>();
  const factory: PoolFactory = (config) => {
    const pool = new FakePool(config, handlers[config.functionName] ?? succeed);
    pools.set(config.functionName, pool);
    return pool;
  };
  return { factory, pools };
}

/** Sinks that record every call; each can be made to fail. */
export class CaptureSinks implements Sinks {
  readonly putEventsCalls: { entries: readonly PutEventsEntry[]; caller?: InvokeCaller }[] = [];
  readonly sqsCalls: { queueArn: string; body: string; attributes?: Readonly<Record<string, MessageAttributeValue>> }[] = [];
  readonly snsCalls: PublishInput[] = [];
  readonly lambdaCalls: { ref: string; payload: string; type: string }[] = [];
  failSqs = false;

  readonly events: EventBusSink = {
    putEvents: async (entries, caller) => {
      this.putEventsCalls.push({ entries, ...(caller ? { caller } : {}) });
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) };
    },
  };
  readonly sqs: QueueSink = {
    sendMessage: async (queueArn, body, attributes) => {
      if (this.failSqs) throw new Error('queue is gone');
      this.sqsCalls.push({ queueArn, body, ...(attributes ? { attributes } : {}) });
      return { MessageId: `msg-${this.sqsCalls.length}` };
    },
  };
  readonly sns: TopicSink = {
    publish: async (input) => {
      this.snsCalls.push(input);
      return { MessageId: `sns-${this.snsCalls.length}` };
    },
  };
  lambdaTarget?: LambdaInvoker;
  readonly lambda: LambdaInvoker = {
    invoke: async (ref, payload, type, caller): Promise<InvokeResult> => {
      this.lambdaCalls.push({ ref, payload, type });
      if (this.lambdaTarget) return this.lambdaTarget.invoke(ref, payload, type, caller);
      return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId: 'dest-request' };
    },
  };
}

export class CaptureTracer implements Tracer {
  readonly events: Omit<TraceEvent, 'time'>[] = [];
  record(event: Omit<TraceEvent, 'time'>): void {
    this.events.push(event);
  }
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
}

/** The in-memory LogSink of the execution-environment tests, for the service tests too. */
export { MemoryLogs } from './environments-helpers.js';
