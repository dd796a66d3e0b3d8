import { FrontDoor } from './server.js';
import { localAddress, urlFor } from './listen-addresses.js';
import { createClock } from './clock.js';
import { TerminalPrinter, TraceLog } from './tracing.js';
import type { AddressInfo } from 'node:net';
import type { Sinks } from './contracts.js';
import type { StackModel } from './cloudformation/types.js';
import { cachedAssembly } from './cloudformation/assembly-cache.js';
import { loadStacks } from './cloudformation/model.js';
import { environmentForRegion, servingRegion } from './cloudformation/environments.js';
import { inertResourceTypes, refuseUnemulated } from './cloudformation/inert.js';
import { cloudFormationApi } from './cloudformation/api.js';
import { CloudFormationService } from './cloudformation/service.js';
import { LambdaService } from './lambda/service.js';
import type { PoolFactory } from './lambda/pool.js';
import { lambdaApi } from './lambda/api.js';
import { EventSourceMappings } from './lambda/event-source-mapping/service.js';
import { eventSourceMappingApi } from './lambda/event-source-mapping/api.js';
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
import { defaultIdleTimeoutMs, defaultMaxEnvironments } from './lambda/environments.js';
import { runtimeMetrics } from './lambda/runtime-metrics.js';
import { AwsError } from './protocol/errors.js';
import { describeDropped, describeResumed, openState, ownersOf, type StateOptions } from './state/open.js';
import type { StateStore } from './state/types.js';
import { jsonResponse, type HttpHandler, type HttpRequest, type HttpResponse } from './protocol/http.js';
import { readAssemblyStacks } from './cloudformation/assembly.js';
import { FUNCTION_URL_TYPE, functionUrlKeys } from './lambda/function-url/config.js';
import { FunctionUrlServers } from './lambda/function-url/servers.js';
import { serveFunctionUrls, type ServedFunctionUrl } from './lambda/function-url/service.js';

export interface RuntimeOptions {
  /** The CDK project to synthesize (its cdk.json). */
  readonly projectDir: string;
  /** Serve this cloud assembly instead of synthesizing. */
  readonly assembly?: string;
  /** Synthesize with this command (`--app COMMAND`, run in projectDir) instead of cdk.json's "app". */
  readonly app?: string;
  /** `--stacks`: the stack of a multi-stack assembly to serve. */
  readonly stacks?: readonly string[];
  /** CDK context for synthesis, as `cdk -c`. */
  readonly context?: Readonly<Record<string, string>>;
  /** Synthesize even when the assembly cache holds this app's assembly. @default false */
  readonly freshSynth?: boolean;
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
  /** Most execution environments (processes) per function; invocations beyond wait for one. @default 2 × cores, at least 4 */
  readonly maxEnvironments?: number;
  /** Idle execution environments are stopped after this many local ms. @default 5 AWS minutes × time scale, at least 10 s */
  readonly idleEnvironmentMs?: number;
  /** Seam for hot reload: makes each function's pool of execution environments (so unchanged ones stay warm). */
  readonly poolFactory?: PoolFactory;
  /** Keep durable state (queued events, SQS messages, logs) in this directory; in memory only when absent. */
  readonly state?: StateOptions;
  /** Enforce the template's IAM policies (`--no-iam` turns it off). @default true */
  readonly iam?: boolean;
  /** Check calls from outside (SDK clients of tests and scripts) as this role of the stack. */
  readonly enforceIamForCallers?: string;
  /** Serve on this already listening door (a hot reload keeps the port); `stop()` leaves it open. */
  readonly door?: { readonly door: FrontDoor; readonly address: AddressInfo };
  /** Record hops here (a hot reload keeps the dashboard's history). */
  readonly traces?: TraceLog;
  /** Serve function URLs on these servers (a hot reload keeps their ports); `stop()` leaves them open. */
  readonly functionUrlServers?: FunctionUrlServers;
}

export interface LocalRuntime {
  /** `http://host:port` of the front door. */
  readonly endpoint: string;
  readonly stack: StackModel;
  readonly traces: TraceLog;
  /** Each AWS::Lambda::Url, served on its own local port. */
  readonly functionUrls?: readonly ServedFunctionUrl[];
  readonly services: {
    readonly lambda: LambdaService;
    readonly events: EventBridgeService;
    readonly sns: SnsService;
    readonly sqs: SqsService;
    readonly logs: LogStore;
    readonly apigateway: ApiGatewayService;
    readonly iam: IamService;
    readonly eventSourceMappings: EventSourceMappings;
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
  const traces = options.traces ?? new TraceLog();
  const terminal = new TerminalPrinter({
    print,
    colour: options.colour ?? false,
    // Asked only for a summary line under load, once the services exist.
    environments: () => (services ? runtimeMetrics(services.lambda).process.environments : 0),
  });
  const ownDoor = options.door === undefined;
  const door = options.door?.door ?? new FrontDoor((error) => print(`internal error: ${(error as Error)?.stack ?? String(error)}`));

  // Listen first: the outputs need the real port (0 picks a free one).
  const address = options.door?.address ?? (await door.listen(options.port ?? 3000, host));
  // A wildcard bind (0.0.0.0, ::) is reached through loopback from this machine.
  const endpoint = urlFor(localAddress(address.address), address.port);
  door.use([async () => jsonResponse(503, { status: 'starting', message: 'The local runtime is still starting' })]);
  let services: LocalRuntime['services'] | undefined;
  let state: StateStore | undefined;
  const ownUrlServers = options.functionUrlServers === undefined;
  const urlServers = options.functionUrlServers ?? new FunctionUrlServers((error) => print(`internal error: ${(error as Error)?.stack ?? String(error)}`));
  try {
    const assemblyDir = options.assembly ?? (await localAssembly(options, print));
    const assemblyStacks = readAssemblyStacks(assemblyDir, options.stacks);
    // Each function URL listens before the stack resolves, so `Fn::GetAtt <Url>.FunctionUrl` gives its local address.
    const functionUrlAddresses = await urlServers.open(functionUrlKeys(assemblyStacks), host, options.port ? address.port : undefined);
    const stack = loadStacks(assemblyStacks, { localEndpoint: endpoint, functionUrls: functionUrlAddresses });
    state = openState(options.state, stack, address.port, print);

    const iam = IamService.fromStack(stack, { tracer: traces, enforce: options.iam ?? true, warn: (message) => print(`warning: ${message}`) });
    for (const line of iam.startupLines(options.enforceIamForCallers)) print(line);
    iam.checkFunctionRoles();

    // Services reach each other through `sinks`, filled in once all exist.
    const sinks = {} as { -readonly [K in keyof Sinks]: Sinks[K] };
    const logs = LogStore.fromStack(stack, { persistence: state.logs });
    const sqs = SqsService.fromStack(stack, { clock, tracer: traces, state, resourcePolicyRefused: (refusal) => iam.resourcePolicyRefused(refusal) });
    const lambda = LambdaService.fromStack(stack, {
      sinks,
      logs,
      clock,
      tracer: traces,
      // An AWS SDK call made inside a function reaches this runtime, not AWS.
      awsEndpointUrl: endpoint,
      roles: executionRoles(iam, stack.env),
      ...(options.maxEnvironments === undefined ? {} : { maxEnvironments: options.maxEnvironments }),
      idleTimeoutMs: options.idleEnvironmentMs ?? defaultIdleTimeoutMs(clock.scale),
      ...(options.poolFactory ? { poolFactory: options.poolFactory } : {}),
      onOutput: (fn, line) => terminal.output(functionLine(fn, line, options.colour ?? false)),
      state,
    });
    const events = EventBridgeService.fromStack(stack, { sinks, clock, tracer: traces, logs, state, checkRole: roleCheck(iam) });
    const sns = SnsService.fromStack(stack, {
      sinks,
      matcher: matchesPattern,
      clock,
      tracer: traces,
      state,
      resourcePolicyRefused: (refusal) => iam.resourcePolicyRefused(refusal),
    });
    // A request is served in the region it is signed for (when the stacks span several).
    const regionOf = (signed: string | undefined) => servingRegion(stack, signed);
    // API Gateway's AWS integrations call these on their own wire protocol, exactly as they call AWS.
    const awsEndpoints: Readonly<Record<string, (req: HttpRequest) => Promise<HttpResponse>>> = {
      sns: snsServiceEndpoint(sns, regionOf),
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
    // Lambda's SQS pollers read with each function's execution role.
    const eventSourceMappings = EventSourceMappings.fromStack(stack, {
      lambda,
      sqs,
      clock,
      tracer: traces,
      matcher: matchesPattern,
      checkRole: roleCheck(iam),
      defaultConcurrency: options.maxEnvironments ?? defaultMaxEnvironments(),
    });
    Object.assign(sinks, { lambda, events, sns, sqs });
    services = { lambda, events, sns, sqs, logs, apigateway, iam, eventSourceMappings };

    const handled = new Set([
      ...CloudFormationService.handledTypes,
      ...LogStore.handledTypes,
      ...SqsService.handledTypes,
      ...LambdaService.handledTypes,
      ...EventBridgeService.handledTypes,
      ...SnsService.handledTypes,
      ...ApiGatewayService.handledTypes,
      ...IamService.handledTypes,
      FUNCTION_URL_TYPE,
      ...EventSourceMappings.handledTypes,
    ]);
    const inert = inertResourceTypes(stack, handled);
    refuseUnemulated(inert);
    if (inert.size > 0) {
      print('Not emulated (no local behaviour):');
      for (const [type, ids] of inert) print(`  ${type}: ${ids.join(', ')}`);
    }
    const functionUrls = serveFunctionUrls(stack, {
      servers: urlServers,
      lambda,
      iam,
      tracer: traces,
      ...(options.enforceIamForCallers ? { callersRole: options.enforceIamForCallers } : {}),
    });

    const apis = { json: [eventBridgeApi(events), logsApi(logs), sqsApi(sqs)], query: [snsApi(sns), cloudFormationApi(stack)] };
    door.use(committedBeforeAnswering(state, [
      localRoutes({
        stack,
        traces,
        logs,
        iam,
        metrics: () => runtimeMetrics(lambda),
        queueDepth: (arn) => sqs.findQueue(arn)?.messages.length,
      }),
      // Before the AWS APIs: a call the caller's role may not make is answered here.
      iamEdge({ iam, env: stack.env, envFor: (region) => environmentForRegion(stack, regionOf(region)), stackId: stack.stackId, ...apis, ...(options.enforceIamForCallers ? { callersRole: options.enforceIamForCallers } : {}) }),
      eventSourceMappingApi(eventSourceMappings),
      lambdaApi(lambda),
      awsApiHandler(apis, regionOf),
      apiGatewayHandler(apigateway),
    ]));
    const unsubscribe = traces.subscribe((event) => terminal.hop(event));
    const terminalSecond = setInterval(() => terminal.tick(), 1000);
    terminalSecond.unref();

    if (state.durable) {
      // State whose resource left the assembly (or changed type) is dropped before anything resumes;
      // the queues CreateQueue made, the rules PutRule made and the subscriptions Subscribe made belong to no resource, and stay.
      const owners = [...ownersOf(stack), ...sqs.stateOwners(), ...events.stateOwners(), ...sns.stateOwners()];
      for (const line of describeDropped(state.retainOwners(owners, new Set(logs.logGroupNames())))) print(line);
      const logEvents = logs.restore();
      const sqsMessages = sqs.resume();
      const asyncEvents = lambda.resume();
      const { targetRetries, archivedEvents, replays } = events.resume();
      const snsDeliveries = sns.resume();
      const other = [
        ...(snsDeliveries > 0 ? [`${snsDeliveries} SNS deliveries`] : []),
        ...(targetRetries > 0 ? [`${targetRetries} EventBridge target retries`] : []),
        ...(archivedEvents > 0 ? [`${archivedEvents} archived EventBridge events`] : []),
        ...(replays > 0 ? [`${replays} EventBridge replays`] : []),
      ];
      print(describeResumed({ asyncEvents, sqsMessages, logEvents, other }, state));
    }
    // After the resume: the pollers find the messages a previous run left.
    eventSourceMappings.start();

    const built = services;
    const openedState = state;
    return {
      endpoint,
      stack,
      traces,
      functionUrls,
      services: built,
      async stop() {
        clearInterval(terminalSecond);
        unsubscribe();
        urlServers.detach();
        if (ownUrlServers) await urlServers.close();
        if (ownDoor) await door.close();
        await disposeServices(built);
        openedState.close();
      },
    };
  } catch (error) {
    if (services) await disposeServices(services).catch(() => {});
    state?.close();
    urlServers.detach();
    if (ownUrlServers) await urlServers.close();
    if (ownDoor) await door.close();
    throw error;
  }
}

/** The app's assembly from the cache, or synthesized into it when the app changed. */
export async function localAssembly(options: RuntimeOptions, print: (line: string) => void): Promise<string> {
  const started = Date.now();
  const { dir, fromCache } = await cachedAssembly({
    projectDir: options.projectDir,
    ...(options.app === undefined ? {} : { app: options.app }),
    context: { ...(options.context ?? {}) },
    // A command's sources are unknown (cdk.json's watch globs describe the project's own app): always run it, as `cdk` does.
    fresh: (options.freshSynth ?? false) || options.app !== undefined,
    // The runtime's start-up checks refuse what it cannot run; `cdk synth` and `cdk deploy` keep this validation.
    validation: false,
    onSynthesizing: () => print('Synthesizing the CDK app...'),
    onWarning: (message) => {
      // esbuild's progress lines arrive on the same channel as warnings.
      const text = message.trim();
      if (text) print(text.startsWith('Bundling asset') ? text : `warning: ${text}`);
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  print(fromCache ? `Assembly from cache (${dir})` : `Synthesized in ${seconds}s (cached in ${dir})`);
  return dir;
}

/** Stop what keeps timers or child processes: pending deliveries and retries, execution environments. */
async function disposeServices(services: LocalRuntime['services']): Promise<void> {
  // Stops receiving at once; a batch in progress ends when the environments stop, and is left in flight.
  const mappingsStopped = services.eventSourceMappings.stop();
  services.sns.dispose();
  await services.events.dispose();
  await services.lambda.dispose();
  await mappingsStopped;
}

/** Each handler's answer leaves only once the state it wrote is committed (the state store groups writes). */
function committedBeforeAnswering(state: StateStore, handlers: HttpHandler[]): HttpHandler[] {
  if (!state.commit) return handlers;
  return handlers.map((handler) => async (request) => {
    const response = await handler(request);
    if (response) state.commit!();
    return response;
  });
}

function functionLine(functionName: string, line: string, colour: boolean): string {
  const prefix = `[${functionName}]`;
  return colour ? `\x1b[36m${prefix}\x1b[0m ${line}` : `${prefix} ${line}`;
}
