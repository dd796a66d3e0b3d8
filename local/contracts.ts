/**
 * The small typed interfaces through which the emulated services talk to
 * each other. A service folder implements one of these and consumes the
 * others; it never reaches into another folder's internals. `runtime.ts`
 * wires the implementations together.
 */

// ---------------------------------------------------------------- Lambda

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/** Who is calling, for the function's resource policy (AWS::Lambda::Permission). */
export interface InvokeCaller {
  /** Service principal, e.g. `sns.amazonaws.com`, `events.amazonaws.com`. Absent for an IAM caller. */
  readonly principal?: string;
  /** ARN of the calling resource (topic, rule), checked against `SourceArn`. */
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  /** An IAM caller acting with a role (API Gateway with an integration's `Credentials`), checked against it. */
  readonly role?: {
    readonly arn: string;
    readonly session: string;
    readonly via: string;
    /** The service principal that assumes the role (`apigateway.amazonaws.com`): its trust policy must allow it. */
    readonly assumedBy?: string;
  };
}

export interface InvokeResult {
  /** 200 (RequestResponse), 202 (Event), 204 (DryRun). */
  readonly statusCode: number;
  /** The handler's result or error payload, JSON text ('' for Event/DryRun). */
  readonly payload: string;
  /** `Unhandled` when the function failed. */
  readonly functionError?: 'Unhandled';
  readonly executedVersion: string;
  readonly requestId: string;
  /** The invocation's log lines (START..REPORT), for `LogType: Tail`. */
  readonly log?: string;
}

export interface LambdaInvoker {
  /**
   * Invoke a function by name, partial ARN or full ARN (optionally
   * qualified with `$LATEST`). Rejects with an AwsError
   * (ResourceNotFoundException, AccessDeniedException for a caller the
   * resource policy does not allow, ...).
   *
   * `parsedPayload`, from an internal caller that made `payload` with
   * `JSON.stringify` of a value it no longer changes: that value, so the
   * payload is not parsed again to validate it. Lambda takes it only when it
   * is exactly what parsing the text would give (see `isParsedJson`), and
   * parses the text otherwise; wrappers pass it on as it is.
   */
  invoke(
    functionRef: string,
    payload: string,
    invocationType: InvocationType,
    caller?: InvokeCaller,
    parsedPayload?: unknown,
  ): Promise<InvokeResult>;
}

// ---------------------------------------------------------------- EventBridge

export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** JSON text of an object. */
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly Time?: Date | string;
  /** Bus name or ARN; the default bus when absent. */
  readonly EventBusName?: string;
  readonly TraceHeader?: string;
}

export interface PutEventsResultEntry {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: readonly PutEventsResultEntry[];
}

export interface EventBusSink {
  putEvents(entries: readonly PutEventsEntry[], caller?: InvokeCaller): Promise<PutEventsResult>;
}

/** EventBridge content filtering, shared with SNS filter policies. */
export type PatternMatcher = (pattern: unknown, event: unknown) => boolean;

// ---------------------------------------------------------------- SQS

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

export interface QueueSink {
  /** Send to the queue with this ARN; rejects with an AwsError when it does not exist. */
  sendMessage(
    queueArn: string,
    body: string,
    messageAttributes?: Readonly<Record<string, MessageAttributeValue>>,
    /** The sending service (SNS, EventBridge, Lambda), checked against the queue policy; absent for an IAM caller. */
    caller?: InvokeCaller,
  ): Promise<{ readonly MessageId: string }>;
}

// ---------------------------------------------------------------- SNS

export interface PublishInput {
  readonly TopicArn: string;
  readonly Message: string;
  readonly Subject?: string;
  readonly MessageStructure?: string;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

export interface TopicSink {
  publish(input: PublishInput, caller?: InvokeCaller): Promise<{ readonly MessageId: string }>;
}

// ---------------------------------------------------------------- CloudWatch Logs

export interface LogEvent {
  /** Epoch ms when the line was written. */
  readonly timestamp: number;
  readonly message: string;
}

export interface LogSink {
  /** Create the group if needed (Lambda does this on first write). */
  ensureLogGroup(logGroupName: string, retentionInDays?: number): void;
  putLogEvents(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void;
}

// ---------------------------------------------------------------- Tracing

/** One hop of an event through the chain, for the terminal, `/_local/traces` and the dashboard. */
export interface TraceEvent {
  readonly time: number;
  /** `apigateway`, `sns`, `lambda`, `eventbridge`, `sqs`, `logs`. */
  readonly service: string;
  /** Short verb, e.g. `publish`, `invoke`, `retry`, `destination`, `deliver`, `dead-letter`. */
  readonly kind: string;
  /** Resource the hop concerns (topic, function, rule, queue). */
  readonly resource: string;
  /** One line a person reads in the terminal. */
  readonly summary: string;
  /** Correlation ids: SNS MessageId, Lambda requestId, EventBridge event id. */
  readonly ids?: Readonly<Record<string, string>>;
  readonly detail?: unknown;
  /**
   * How the hop ended, where that is not plain success: `failed` (e.g. a
   * destination record that could not be delivered), `denied` (refused by a
   * policy), `pending`. Absent means ok.
   */
  readonly outcome?: 'ok' | 'failed' | 'denied' | 'pending';
  /** Why, with `failed` or `denied`: the error as AWS would word it. */
  readonly reason?: string;
}

export interface Tracer {
  record(event: Omit<TraceEvent, 'time'>): void;
}

// ---------------------------------------------------------------- IAM

/** SigV4 credentials a function's environment signs its AWS SDK calls with. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** A function as its execution role sees it. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly functionArn: string;
  /** The execution role's ARN; absent when the template gives none. */
  readonly roleArn?: string;
  readonly logGroupName: string;
}

/**
 * What a function's execution role decides, as the Lambda service applies
 * it: what its destinations and dead-letter target may receive, whether
 * its logs reach CloudWatch Logs, and the credentials its SDK calls carry.
 * Every denial is traced by the implementation.
 */
export interface ExecutionRoles {
  /** Sinks that check each call (events:PutEvents, sqs:SendMessage, sns:Publish, lambda:InvokeFunction) against the role first. */
  sinksFor(fn: FunctionIdentity, sinks: Sinks): Sinks;
  /** A log sink that drops what the role may not write (logs:CreateLogStream, logs:PutLogEvents). */
  logsFor(fn: FunctionIdentity, logs: LogSink): LogSink;
  /** Marks a terminal line of a function whose role may not write its logs. */
  markOutput(fn: FunctionIdentity, line: string): string;
  credentialsFor(fn: FunctionIdentity): Credentials | undefined;
  /** Checks a caller acting with a role (InvokeCaller.role). */
  readonly checkRole: RoleCheck;
  /** A service principal that a function's resource policy refused (the AccessDeniedException is thrown by the caller). */
  resourcePolicyDenied(fn: FunctionIdentity, caller: InvokeCaller, message: string): void;
}

/** A service principal's call that a resource policy (topic, queue, function) refused. */
export interface ResourcePolicyRefusal {
  /** e.g. `events.amazonaws.com`. */
  readonly principal: string;
  /** e.g. `sqs:SendMessage`. */
  readonly action: string;
  readonly resource: string;
  /** The calling resource (rule, topic, bucket), when known. */
  readonly sourceArn?: string;
  /** The error message the service answered. */
  readonly message: string;
  /** Whose policy refused, for the trace: `queue policy of jobs`. */
  readonly via: string;
}

/** Traces a resource-policy refusal as an IAM denial (the service still answers its own error). */
export type ResourcePolicyRefused = (refusal: ResourcePolicyRefusal) => void;

/**
 * Checks a call a service makes with a role it was given (an EventBridge
 * target's RoleArn). Undefined when allowed; else the AccessDenied error
 * the target service answers, the denial already traced. With `assumedBy`,
 * the role's trust policy must first let that service principal assume it.
 */
export type RoleCheck = (roleArn: string, action: string, resource: string, via: string, session?: string, assumedBy?: string) => Error | undefined;

/** Resolves the ARN of any destination or target to the service that accepts it. */
export interface Sinks {
  readonly lambda: LambdaInvoker;
  readonly events: EventBusSink;
  readonly sqs: QueueSink;
  readonly sns: TopicSink;
}
