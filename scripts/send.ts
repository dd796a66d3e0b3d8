/**
 * `npm run send -- [--fail] [--local]`: send one event through the API and
 * follow it down the chain, printing each hop as it shows up in the logs.
 * Talks to AWS with your credentials, or with `--local` to `npm start`.
 */
import { parseArgs } from 'node:util';
import { chainClients, filterAllLogEvents, loggedEvent, logGroupOf, stackOutputs } from './chain-api.js';

const USAGE = `Usage: npm run send -- [--fail] [--local] [--endpoint URL] [--stack NAME] [--timeout SECONDS]

  --fail          send ?mode=fail and follow the retries to the failure logger
  --local         use the local runtime (npm start) at http://127.0.0.1:3000
  --endpoint URL  the local runtime's address (implies --local)
  --stack NAME    the stack to read outputs from (default TheDestinedLambdaStack)
  --timeout S     give up after S seconds (default 60 locally, 420 on AWS)`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        fail: { type: 'boolean' },
        local: { type: 'boolean' },
        endpoint: { type: 'string' },
        stack: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const local = Boolean(values.local || values.endpoint);
    const timeout = values.timeout === undefined ? (local ? 60 : 420) : Number(values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new Error(`--timeout must be a positive number of seconds`);
    if (values.endpoint !== undefined && !/^https?:\/\//.test(values.endpoint)) throw new Error('--endpoint must be an http(s) URL');
    return {
      fail: values.fail ?? false,
      endpoint: local ? (values.endpoint ?? 'http://127.0.0.1:3000') : undefined,
      stack: values.stack ?? 'TheDestinedLambdaStack',
      timeoutMs: timeout * 1000,
    };
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

const opts = options();
const clients = chainClients(opts.endpoint);
const started = Date.now();

const hop = (what: string) => console.log(`${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s  ${what}`);
const search = (group: string, pattern: string) => filterAllLogEvents(clients, group, pattern, started - 5_000);

async function main(): Promise<number> {
  const out = await stackOutputs(clients, opts.stack);
  const url = `${out.SendEventUrl}${opts.fail ? '?mode=fail' : ''}`;
  const groups = {
    destined: await logGroupOf(clients, out.DestinedFunctionName!),
    success: await logGroupOf(clients, out.SuccessLoggerFunctionName!),
    failure: await logGroupOf(clients, out.FailureLoggerFunctionName!),
  };

  hop(`API Gateway  GET ${url}`);
  const response = await fetch(url);
  const body = await response.text();
  hop(`API Gateway  ${response.status} ${body}`);
  if (response.status !== 200) return 1;
  const messageId = (JSON.parse(body) as { messageId?: string }).messageId;
  if (!messageId) return 1;
  hop(`SNS          published message ${messageId}`);

  const seen = new Set<string>();
  const deadline = started + opts.timeoutMs;
  const pollMs = opts.endpoint ? 200 : 3_000;
  while (Date.now() < deadline) {
    for (const event of await search(groups.destined, `"${messageId}"`)) {
      const requestId = event.message?.split('\t')[1];
      if (!requestId || seen.has(event.eventId!)) continue;
      seen.add(event.eventId!);
      hop(`Lambda       ${out.DestinedFunctionName} attempt ${seen.size} (request ${requestId})`);
    }
    for (const [group, name] of [
      [groups.success, out.SuccessLoggerFunctionName],
      [groups.failure, out.FailureLoggerFunctionName],
    ] as const) {
      const event = (await search(group, `"${messageId}"`)).map((e) => loggedEvent(e.message ?? '')).find((e) => e);
      if (!event) continue;
      const ctx = event.detail?.requestContext ?? {};
      hop(`EventBridge  ${event['detail-type']} -> ${name}`);
      hop(`             condition ${ctx.condition}, approximateInvokeCount ${ctx.approximateInvokeCount}`);
      if (event.detail?.responseContext?.functionError) {
        hop(`             error ${event.detail.responsePayload?.errorType}: ${event.detail.responsePayload?.errorMessage}`);
      }
      console.log(JSON.stringify(event, null, 2));
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  hop(`gave up after ${opts.timeoutMs / 1000}s without seeing ${messageId} reach a logger`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`error: ${error.name}: ${error.message}`);
    if (opts.endpoint) console.error(`Is the local runtime running (npm start) at ${opts.endpoint}?`);
    else console.error('Without --local this talks to AWS, with the credentials and region of your AWS CLI setup (AWS_PROFILE, AWS_REGION); add --local to use npm start.');
    process.exit(1);
  },
);
