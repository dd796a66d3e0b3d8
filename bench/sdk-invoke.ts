/**
 * Lambda `Invoke` (RequestResponse) through the AWS SDK's LambdaClient
 * against the runtime's Lambda API with a warm function, compared with the
 * same SDK call to a bare `node:http` stub that answers as Lambda does, in
 * interleaved rounds. The floor holds the SDK's own cost (signing,
 * serialization, HTTP), so the ratio shows what the runtime adds.
 *
 * Run alone: `npx tsx bench/sdk-invoke.ts [--quick]`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createClock } from '../local/clock.js';
import { lambdaApi } from '../local/lambda/api.js';
import { LambdaService } from '../local/lambda/service.js';
import { CaptureSinks, fn, makeStack } from '../test/local/lambda/helpers.js';
import { fixtureDir, MemoryLogs } from '../test/local/lambda/environments-helpers.js';
import { serve, TEST_CLIENT } from '../test/support/serve.js';
import { compare, median, printComparison, timed, type BenchOptions } from './harness.js';

/** Answers every request as a successful synchronous Invoke of `$LATEST`. */
async function lambdaStub(): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amzn-requestid': '00000000-0000-4000-8000-000000000000',
        'x-amz-executed-version': '$LATEST',
      });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function client(endpoint: string): LambdaClient {
  return new LambdaClient({ ...TEST_CLIENT, endpoint, maxAttempts: 1 });
}

async function invoke(lambda: LambdaClient): Promise<void> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'bench', Payload: Buffer.from('{}') }));
  if (out.StatusCode !== 200 || out.FunctionError) throw new Error(`Invoke failed: ${out.FunctionError ?? out.StatusCode}`);
}

/** Median ms of `n` sequential Invokes. */
async function latencyRound(lambda: LambdaClient, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await timed(() => invoke(lambda)));
  return median(times);
}

/** Invokes/s with `concurrency` callers sharing `n` Invokes. */
async function throughputRound(lambda: LambdaClient, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const ms = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < n) await invoke(lambda);
      }),
    ),
  );
  return (n / ms) * 1000;
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const stack = makeStack([fn('bench', { MemorySize: 128, Timeout: 3 })], fixtureDir('trivial'));
  const service = LambdaService.fromStack(stack, { sinks: new CaptureSinks(), logs: new MemoryLogs(), clock: createClock(1), maxEnvironments: 4 });
  const runtime = await serve(lambdaApi(service));
  const stub = await lambdaStub();
  const toRuntime = client(runtime.endpoint);
  const toStub = client(stub.endpoint);
  const batch = options.quick ? 50 : 300;
  const rounds = options.quick ? 5 : 11;
  try {
    printComparison(
      await compare({
        name: `SDK Invoke latency, median of ${batch} sequential calls per round`,
        unit: 'ms',
        rounds,
        floor: { label: 'SDK to a bare Lambda stub', round: () => latencyRound(toStub, batch) },
        measured: { label: 'SDK to the local Lambda API', round: () => latencyRound(toRuntime, batch) },
      }),
    );
    const n = options.quick ? 200 : 1_000;
    printComparison(
      await compare({
        name: `SDK Invoke throughput at concurrency 8, ${n} calls per round`,
        unit: 'calls/s',
        rounds: options.quick ? 3 : 7,
        floor: { label: 'SDK to a bare Lambda stub', round: () => throughputRound(toStub, n, 8) },
        measured: { label: 'SDK to the local Lambda API', round: () => throughputRound(toRuntime, n, 8) },
      }),
    );
  } finally {
    toRuntime.destroy();
    toStub.destroy();
    await runtime.close();
    await new Promise((resolve) => stub.server.close(resolve));
    await service.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
