/**
 * Reading the deployed (or local) chain through AWS APIs only: the stack's
 * outputs, a function's log group, a log search. Shared by `npm run send`
 * and the end-to-end suite, so both follow an event the same way on AWS and
 * on the local runtime.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';

export interface ChainClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
}

/** Clients for the local runtime at `endpoint` (any credentials do), or for AWS with the caller's own. */
export function chainClients(endpoint?: string): ChainClients {
  const config = endpoint
    ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

/** The stack's outputs by key, from DescribeStacks. */
export async function stackOutputs(clients: ChainClients, stackName: string): Promise<Record<string, string>> {
  const { Stacks } = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}

/** The log group a function writes to: its LoggingConfig, else `/aws/lambda/<name>`. */
export async function logGroupOf(clients: ChainClients, functionName: string): Promise<string> {
  const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  return fn.Configuration?.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
}

/** Every event FilterLogEvents finds, all pages. */
export async function filterAllLogEvents(
  clients: ChainClients,
  logGroupName: string,
  filterPattern: string,
  startTime: number,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.logs.send(
      new FilterLogEventsCommand({ logGroupName, filterPattern, startTime, ...(nextToken ? { nextToken } : {}) }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The EventBridge event a logger logged: the object holding `detail-type` in its JSON line. */
export function loggedEvent(message: string): Record<string, any> | undefined {
  let line: unknown;
  try {
    line = JSON.parse(message.slice(message.indexOf('{')));
  } catch {
    return undefined;
  }
  const stack: unknown[] = [line];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value && typeof value === 'object') {
      if ('detail-type' in value) return value as Record<string, any>;
      stack.push(...Object.values(value));
    }
  }
  return undefined;
}
