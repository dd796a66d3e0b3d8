import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';

/**
 * Where the end-to-end suite runs: the local runtime (default) or a deployed
 * stack (`E2E_TARGET=aws`, with the caller's AWS credentials and region).
 * The suite talks to either through the AWS SDK only.
 */
export interface E2ETarget {
  readonly name: 'local' | 'aws';
  readonly stackName: string;
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly logs: CloudWatchLogsClient;
  /** How long to wait for the failure path: AWS really waits 1 + 2 minutes. */
  readonly failureBudgetMs: number;
  readonly pollMs: number;
}

export function clientConfig(endpoint?: string) {
  return endpoint
    ? { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {};
}

export function makeTarget(name: 'local' | 'aws', endpoint?: string): E2ETarget {
  const config = clientConfig(endpoint);
  return {
    name,
    stackName: process.env.STACK_NAME ?? 'TheDestinedLambdaStack',
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    logs: new CloudWatchLogsClient(config),
    failureBudgetMs: name === 'aws' ? 8 * 60_000 : 30_000,
    pollMs: name === 'aws' ? 5_000 : 100,
  };
}

export async function stackOutputs(target: E2ETarget): Promise<Record<string, string>> {
  const { Stacks } = await target.cloudFormation.send(new DescribeStacksCommand({ StackName: target.stackName }));
  const outputs: Record<string, string> = {};
  for (const o of Stacks?.[0]?.Outputs ?? []) outputs[o.OutputKey!] = o.OutputValue!;
  return outputs;
}

/** The log group a function writes to: its LoggingConfig, else `/aws/lambda/<name>`. */
export async function logGroupOf(target: E2ETarget, functionName: string): Promise<string> {
  const fn = await target.lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  return fn.Configuration?.LoggingConfig?.LogGroup ?? `/aws/lambda/${functionName}`;
}

/** Poll FilterLogEvents until `accept` picks enough events, or fail after `budgetMs`. */
export async function waitForLogEvents(
  target: E2ETarget,
  logGroupName: string,
  filterPattern: string,
  accept: (events: FilteredLogEvent[]) => boolean,
  budgetMs: number,
  startTime = Date.now() - 60_000,
): Promise<FilteredLogEvent[]> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const events: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await target.logs.send(
        new FilterLogEventsCommand({ logGroupName, filterPattern, startTime, ...(nextToken ? { nextToken } : {}) }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    if (accept(events)) return events;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${filterPattern} in ${logGroupName}; saw ${events.length} event(s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, target.pollMs));
  }
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
