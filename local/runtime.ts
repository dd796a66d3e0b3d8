import { FrontDoor } from './server.js';
import { createClock } from './clock.js';
import { TraceLog, formatTrace } from './tracing.js';
import type { Sinks } from './contracts.js';
import type { StackModel } from './cloudformation/types.js';
import { synthesizeApp } from './cloudformation/assembly.js';
import { loadStack } from './cloudformation/model.js';
import { inertResourceTypes, refuseUnemulated } from './cloudformation/inert.js';
import { cloudFormationApi } from './cloudformation/api.js';
import { CloudFormationService } from './cloudformation/service.js';
import { LambdaService } from './lambda/service.js';
import { lambdaApi } from './lambda/api.js';
import { EventBridgeService } from './eventbridge/service.js';
import { eventBridgeApi } from './eventbridge/api.js';
import { matchesPattern } from './eventbridge/pattern.js';
import { SnsService } from './sns/service.js';
import { snsApi, snsServiceEndpoint } from './sns/api.js';
import { SqsService } from './sqs/service.js';
import { sqsApi } from './sqs/api.js';
import { LogStore } from './logs/store.js';
import { logsApi } from './logs/api.js';
import { ApiGatewayService } from './apigateway/service.js';
import { apiGatewayHandler } from './apigateway/api.js';
import { awsApiHandler } from './aws-api.js';
import { IamService } from './iam/service.js';
import { executionRoles, logsAsRole, roleCheck } from './iam/execution-roles.js';
import { callAsIntegrationRole, iamEdge } from './iam/edge.js';
import { localRoutes } from './local-routes.js';
import { AwsError } from './protocol/errors.js';
import { jsonResponse, type HttpRequest, type HttpResponse } from './protocol/http.js';

export interface RuntimeOptions {
  /** The CDK project to synthesize (its cdk.json). */
  readonly projectDir: string;
  /** Serve this cloud assembly instead of synthesizing. */
  readonly assembly?: string;
  /** CDK context for synthesis, as `cdk -c`. */
  readonly context?: Readonly<Record<string, string>>;
  /** @default 3000 (0 picks a free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default 1/60 */
  readonly timeScale?: number;
  /** Where progress, function output and hops are printed. @default nothing */
  readonly print?: (line: string) => void;
  /** ANSI colours in printed lines. @default false */
  readonly colour?: boolean;
  /** Cap on concurrent execution environments per function without reserved concurrency. @default 10 */
  readonly maxConcurrency?: number;
  /** Enforce the template's IAM policies (`--no-iam` turns it off). @default true */
  readonly iam?: boolean;
  /** Check calls from outside (SDK clients of tests and scripts) as this role of the stack. */
  readonly enforceIamForCallers?: string;
}

export interface LocalRuntime {
  /** `http://host:port` of the front door. */
  readonly endpoint: string;
  readonly stack: StackModel;
  readonly traces: TraceLog;
  readonly services: {
    readonly lambda: LambdaService;
    readonly events: EventBridgeService;
    readonly sns: SnsService;
    readonly sqs: SqsService;
    readonly logs: LogStore;
    readonly apigateway: ApiGatewayService;
    readonly iam: IamService;
  };
  stop(): Promise<void>;
}

/**
 * Synthesize (or read) the cloud assembly, build every service from the
 * stack, wire them together and serve them on one port.
 */
export async function startRuntime(options: RuntimeOptions): Promise<LocalRuntime> {
  const print = options.print ?? (() => {});
  const host = options.host ?? '127.0.0.1';
  const clock = createClock(options.timeScale);
  const traces = new TraceLog();
  const door = new FrontDoor((error) => print(`internal error: ${(error as Error)?.stack ?? String(error)}`));

  // Listen first: the outputs need the real port (0 picks a free one).
  const address = await door.listen(options.port ?? 3000, host);
  const endpoint = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  door.use([async () => jsonResponse(503, { status: 'starting', message: 'The local runtime is still starting' })]);
  let services: LocalRuntime['services'] | undefined;
  try {
    const assemblyDir =
      options.assembly ??
      (print('Synthesizing the CDK app...'),
      await synthesizeApp({
        projectDir: options.projectDir,
        context: { ...(options.context ?? {}) },
        onWarning: (message) => {
          // esbuild's progress lines arrive on the same channel as warnings.
          const text = message.trim();
          if (text) print(text.startsWith('Bundling asset') ? text : `warning: ${text}`);
        },
      }));
    const stack = loadStack(assemblyDir, { localEndpoint: endpoint });

    const iam = IamService.fromStack(stack, { tracer: traces, enforce: options.iam ?? true, warn: (message) => print(`warning: ${message}`) });
    for (const line of iam.startupLines(options.enforceIamForCallers)) print(line);
    iam.checkFunctionRoles();

    // Services reach each other through `sinks`, filled in once all exist.
    const sinks = {} as { -readonly [K in keyof Sinks]: Sinks[K] };
    const logs = LogStore.fromStack(stack);
    const sqs = SqsService.fromStack(stack, { clock, tracer: traces });
    const lambda = LambdaService.fromStack(stack, {
      sinks,
      logs,
      clock,
      tracer: traces,
      // An AWS SDK call made inside a function reaches this runtime, not AWS.
      awsEndpointUrl: endpoint,
      roles: executionRoles(iam, stack.env),
      ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      onOutput: (fn, line) => print(functionLine(fn, line, options.colour ?? false)),
    });
    const events = EventBridgeService.fromStack(stack, { sinks, clock, tracer: traces, logs, checkRole: roleCheck(iam) });
    const sns = SnsService.fromStack(stack, { sinks, matcher: matchesPattern, clock, tracer: traces });
    // API Gateway's AWS integrations call these on their own wire protocol, exactly as they call AWS.
    const awsEndpoints: Readonly<Record<string, (req: HttpRequest) => Promise<HttpResponse>>> = {
      sns: snsServiceEndpoint(sns),
    };
    // API Gateway writes its logs with the account's CloudWatch role, when the stack sets one.
    const apiLogsRole = stack.resourcesOfType('AWS::ApiGateway::Account')[0]?.properties['CloudWatchRoleArn'];
    const apigateway = ApiGatewayService.fromStack(stack, {
      sinks,
      logs: typeof apiLogsRole === 'string' ? logsAsRole(iam, stack.env, apiLogsRole, 'apigateway', logs) : logs,
      clock,
      tracer: traces,
      awsServices: Object.keys(awsEndpoints),
      callAwsService: callAsIntegrationRole(iam, new Map([['sns', snsApi(sns)]]), stack.stackId, (service, req) =>
        awsEndpoints[service]?.(req) ??
        Promise.reject(new AwsError('UnknownService', `The local runtime has no ${service} endpoint for API Gateway`, 500)),
      ),
    });
    Object.assign(sinks, { lambda, events, sns, sqs });
    services = { lambda, events, sns, sqs, logs, apigateway, iam };

    const handled = new Set([
      ...CloudFormationService.handledTypes,
      ...LogStore.handledTypes,
      ...SqsService.handledTypes,
      ...LambdaService.handledTypes,
      ...EventBridgeService.handledTypes,
      ...SnsService.handledTypes,
      ...ApiGatewayService.handledTypes,
      ...IamService.handledTypes,
    ]);
    const inert = inertResourceTypes(stack, handled);
    refuseUnemulated(inert);
    if (inert.size > 0) {
      print('Not emulated (no local behaviour):');
      for (const [type, ids] of inert) print(`  ${type}: ${ids.join(', ')}`);
    }

    const apis = { json: [eventBridgeApi(events), logsApi(logs), sqsApi(sqs)], query: [snsApi(sns), cloudFormationApi(stack)] };
    door.use([
      localRoutes({ stack, traces, logs, iam }),
      // Before the AWS APIs: a call the caller's role may not make is answered here.
      iamEdge({ iam, env: stack.env, stackId: stack.stackId, ...apis, ...(options.enforceIamForCallers ? { callersRole: options.enforceIamForCallers } : {}) }),
      lambdaApi(lambda),
      awsApiHandler(apis),
      apiGatewayHandler(apigateway),
    ]);
    traces.subscribe((event) => print(formatTrace(event, options.colour ?? false)));

    const built = services;
    return {
      endpoint,
      stack,
      traces,
      services: built,
      async stop() {
        await door.close();
        await disposeServices(built);
      },
    };
  } catch (error) {
    if (services) await disposeServices(services).catch(() => {});
    await door.close();
    throw error;
  }
}

/** Stop what keeps timers or child processes: pending deliveries and retries, execution environments. */
async function disposeServices(services: LocalRuntime['services']): Promise<void> {
  services.sns.dispose();
  await services.events.dispose();
  await services.lambda.dispose();
}

function functionLine(functionName: string, line: string, colour: boolean): string {
  const prefix = `[${functionName}]`;
  return colour ? `\x1b[36m${prefix}\x1b[0m ${line}` : `${prefix} ${line}`;
}
