import { describe, expect, it } from 'vitest';
import { FunctionPool, type Execution } from '../../../local/lambda/environments.js';
import { fixtureDir, ISO, UUID } from './environments-helpers.js';
import { poolStarter } from './pool-starter.js';

const start = poolStarter();

function json(execution: Execution): Record<string, unknown> {
  return JSON.parse(execution.payload) as Record<string, unknown>;
}

describe('FunctionPool: results and the runtime API', () => {
  it('returns the handler result with AWS context fields and environment', async () => {
    // The template check refuses reserved keys; the environment still sets them last, and lets LANG through.
    const { pool, config } = start('ok', { environment: { GREETING: 'hi', AWS_REGION: 'xx-nope-1', LANG: 'C.UTF-8' }, memorySizeMb: 256 });
    const execution = await pool.invoke('{"a":1}', 'req-1');
    expect(execution.ok).toBe(true);
    expect(execution.requestId).toBe('req-1');
    const result = json(execution) as {
      event: unknown;
      context: Record<string, unknown>;
      env: Record<string, string>;
      cwd: string;
      heapLimitMb: number;
    };
    expect(result.event).toEqual({ a: 1 });
    expect(result.context).toMatchObject({
      awsRequestId: 'req-1',
      functionName: 'fn-ok',
      functionVersion: '$LATEST',
      invokedFunctionArn: config.functionArn,
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/fn-ok',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(result.context['logStreamName']).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(result.context['remaining']).toBeGreaterThan(0);
    expect(result.context['remaining']).toBeLessThanOrEqual(1000);
    expect(result.env).toMatchObject({
      GREETING: 'hi',
      AWS_LAMBDA_FUNCTION_NAME: 'fn-ok',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn-ok',
      AWS_LAMBDA_LOG_STREAM_NAME: result.context['logStreamName'],
      // The function cannot override the reserved variables.
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: fixtureDir('ok'),
      _HANDLER: 'index.handler',
      TZ: ':UTC',
      LANG: 'C.UTF-8',
    });
    expect(result.env['AWS_ACCESS_KEY_ID']).toBeTruthy();
    expect(result.env['AWS_SECRET_ACCESS_KEY']).toBeTruthy();
    expect(result.env['AWS_SESSION_TOKEN']).toBeTruthy();
    expect(result.env['LAMBDA_RUNTIME_DIR']).toBeTruthy();
    // Not the parent's whole environment: only PATH and HOME pass through.
    expect(Object.keys(result.env).filter((k) => !/^(AWS_|LAMBDA_|_HANDLER$|TZ$|LANG$|PATH$|HOME$|GREETING$)/.test(k))).toEqual([]);
    expect(result.env['VITEST']).toBeUndefined();
    expect(result.cwd).toBe(fixtureDir('ok'));
    // Heap sized from MemorySize (old space 90%, plus young generation); Node's default is >= 2 GB.
    expect(result.heapLimitMb).toBeLessThan(400);
  });

  it('points the SDK inside the function at the local endpoint unless the function sets its own', async () => {
    const make = (environment: Record<string, string>) => start('ok', { environment }, { awsEndpointUrl: 'http://127.0.0.1:3999' }).pool;
    const env = async (pool: FunctionPool) => (json(await pool.invoke('{}')) as { env: Record<string, string> }).env;
    expect((await env(make({})))['AWS_ENDPOINT_URL']).toBe('http://127.0.0.1:3999');
    expect((await env(make({ AWS_ENDPOINT_URL: 'http://elsewhere:1' })))['AWS_ENDPOINT_URL']).toBe('http://elsewhere:1');
    // Without the option nothing is set: the SDK would resolve AWS's own endpoints.
    expect((await env(start('ok').pool))['AWS_ENDPOINT_URL']).toBeUndefined();
  });

  it('reports a thrown TypeError as the Node runtime does, with the Invoke Error log line', async () => {
    const { pool, logs } = start('throws');
    const execution = await pool.invoke('{}', 'req-te');
    expect(execution.ok).toBe(false);
    const payload = json(execution) as { errorType: string; errorMessage: string; trace: string[] };
    expect(Object.keys(payload)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(payload.errorType).toBe('TypeError');
    expect(payload.errorMessage).toBe("Cannot read properties of undefined (reading 'missing')");
    expect(payload.trace[0]).toBe(`TypeError: ${payload.errorMessage}`);
    expect(payload.trace[1]).toMatch(/^ {4}at handler \(.*throws\/index\.mjs:3:\d+\)$/);
    const line = logs.messages('/aws/lambda/fn-throws').find((m) => m.includes('Invoke Error'));
    expect(line).toBeDefined();
    const [time, id, level, rest] = line!.split('\t', 4);
    expect(time).toMatch(ISO);
    expect(id).toBe('req-te');
    expect(level).toBe('ERROR');
    expect(rest).toBe('Invoke Error ');
    const logged = JSON.parse(line!.slice(line!.indexOf('Invoke Error \t') + 'Invoke Error \t'.length)) as Record<string, unknown>;
    // The log's JSON names the lines `stack`, the payload `trace`.
    expect(logged).toEqual({ errorType: 'TypeError', errorMessage: payload.errorMessage, stack: payload.trace });
  });

  it('reports a thrown string as the runtime does', async () => {
    const { pool } = start('throw-string');
    const execution = await pool.invoke('{}');
    expect(execution.ok).toBe(false);
    expect(execution.payload).toBe('{"errorType":"string","errorMessage":"plain string","trace":[]}');
    expect(execution.log).toContain('\tERROR\tInvoke Error \t"plain string"');
  });

  it('serialises undefined as null and an unserialisable result as the runtime error', async () => {
    const { pool } = start('sync-return');
    const none = await pool.invoke('{}');
    expect(none.ok).toBe(true);
    expect(none.payload).toBe('null');
    const circular = start('circular').pool;
    const execution = await circular.invoke('{}');
    expect(execution.ok).toBe(false);
    expect(json(execution)).toMatchObject({ errorType: 'Error', errorMessage: 'Unable to stringify response body' });
  });

  it('supports callback-style handlers, for results and errors', async () => {
    const { pool } = start('callback');
    const ok = await pool.invoke('{}', 'req-cb');
    expect(ok.ok).toBe(true);
    expect(JSON.parse(ok.payload)).toEqual({ via: 'callback', requestId: 'req-cb' });
    const failed = await pool.invoke('{"fail":true}');
    expect(failed.ok).toBe(false);
    expect(json(failed)).toMatchObject({ errorType: 'RangeError', errorMessage: 'callback failure' });
  });

  it('loads CommonJS, ESM .js, and nested handler paths', async () => {
    const cjs = await start('cjs').pool.invoke('{"x":2}');
    expect(JSON.parse(cjs.payload)).toEqual({ module: 'commonjs', file: 'index.js', event: { x: 2 } });
    const esm = await start('esm-js').pool.invoke('{}');
    expect(JSON.parse(esm.payload)).toEqual({ module: 'esm', url: true });
    const nested = await start('nested', { handler: 'lib/handlers/file.handlers.main' }).pool.invoke('{}');
    expect(nested.ok).toBe(true);
    expect(nested.payload).toBe('"nested ok"');
  });

  it.each([
    ['nope.handler', 'Runtime.ImportModuleError', "Error: Cannot find module 'nope'\nRequire stack:\n- /var/runtime/index.mjs"],
    ['index.missing', 'Runtime.HandlerNotFound', 'index.missing is undefined or not exported'],
    ['index', 'Runtime.MalformedHandlerName', 'Bad handler'],
  ])('handler %s fails every invocation with %s', async (handler, errorType, errorMessage) => {
    const { pool, logs, config } = start('ok', { handler });
    for (let i = 0; i < 2; i++) {
      const execution = await pool.invoke('{}');
      expect(execution.ok).toBe(false);
      const payload = json(execution) as { errorType: string; errorMessage: string; trace: string[] };
      expect(payload.errorType).toBe(errorType);
      expect(payload.errorMessage).toBe(errorMessage);
      expect(payload.trace[0]).toBe(`${errorType}: ${errorMessage.split('\n')[0]}`);
    }
    const uncaught = logs.messages(config.logGroupName).filter((m) => m.includes('\tERROR\tUncaught Exception \t'));
    expect(uncaught).toHaveLength(2);
    // Init runs before any request: the runtime prints `undefined` as the request id.
    expect(uncaught[0]!.split('\t')[1]).toBe('undefined');
    expect(JSON.parse(uncaught[0]!.split('Uncaught Exception \t')[1]!)).toMatchObject({ errorType, errorMessage });
  });

  it('fails the invocation with an init error and replaces the environment', async () => {
    const { pool, logs, config } = start('init-error');
    const first = await pool.invoke('{}', 'req-init');
    expect(first.ok).toBe(false);
    expect(json(first)).toMatchObject({ errorType: 'Error', errorMessage: 'init failed' });
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.log).toMatch(/\tundefined\tINFO\tinitialising\n/);
    expect(first.log).toMatch(/\nINIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: Error\nSTART RequestId: req-init /);
    expect(first.log).toMatch(/REPORT RequestId: req-init\t.*Status: error\tError Type: Error\t\n$/);
    expect(first.log).not.toMatch(/^REPORT .*Init Duration/m);
    const second = await pool.invoke('{}');
    expect(json(second)).toMatchObject({ errorType: 'Error', errorMessage: 'init failed' });
    // A fresh environment each time, so a fresh log stream each time.
    expect(logs.groups.get(config.logGroupName)!.size).toBe(2);
  });
});

describe('FunctionPool: logs', () => {
  it('formats console calls, passes raw writes through, and frames them with START/END/REPORT', async () => {
    const echoed: string[] = [];
    const { pool, logs } = start('printer', {}, { onOutput: (name, line) => echoed.push(`${name}|${line}`) });
    const execution = await pool.invoke('{}', 'req-print');
    expect(execution.ok).toBe(true);
    const streams = logs.groups.get('/aws/lambda/fn-printer')!;
    expect(streams.size).toBe(1);
    const [stream, events] = [...streams.entries()][0]!;
    expect(stream).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    // CloudWatch keeps the newline Lambda writes after each line.
    expect(events.every((e) => e.message.endsWith('\n'))).toBe(true);
    const messages = events.map((e) => e.message.slice(0, -1));
    const strip = (m: string) => {
      const parts = m.split('\t');
      return parts.length >= 4 && ISO.test(parts[0]!) ? parts.slice(1).join('\t') : m;
    };
    const stripped = messages.map(strip);
    // A console line's time is its event's timestamp.
    for (const event of events) {
      const time = event.message.split('\t')[0]!;
      if (ISO.test(time)) expect(time).toBe(new Date(event.timestamp).toISOString());
    }
    expect(events.filter((e) => ISO.test(e.message.split('\t')[0]!))).toHaveLength(7);
    // The environment's stream opens with INIT_START, then what the module printed during init.
    expect(stripped[0]).toMatch(/^INIT_START Runtime Version: nodejs:22\.v\d+\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}$/);
    stripped.shift();
    expect(stripped[0]).toBe('undefined\tINFO\tinit line');
    expect(stripped[1]).toBe('START RequestId: req-print Version: $LATEST');
    expect(stripped.slice(2, 5)).toEqual([
      "req-print\tINFO\thello world { a: 1 }",
      'req-print\tINFO\tinfo',
      'req-print\tWARN\twarn',
    ]);
    // A multi-line console message (an Error's stack) is one log event.
    expect(stripped[5]).toMatch(/^req-print\tERROR\terror Error: logged\n {4}at handler/);
    expect(stripped.slice(6, 12)).toEqual([
      'req-print\tDEBUG\tdebug',
      // Its own newline stays, before the one every line gets.
      'req-print\tINFO\tends with a newline\n',
      '{"level":"INFO","message":"powertools style"}',
      'first raw',
      'second raw',
      'raw stderr',
    ]);
    expect(stripped[12]).toBe('END RequestId: req-print');
    expect(stripped[13]).toMatch(
      /^REPORT RequestId: req-print\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t$/,
    );
    expect(stripped).toHaveLength(14);
    for (const event of events) expect(event.timestamp).toBeGreaterThan(Date.now() - 60_000);
    // The Execution's log is the same events, and the terminal saw each of them.
    expect(execution.log).toBe(messages.map((m) => `${m}\n`).join(''));
    expect(echoed).toEqual(messages.map((m) => `fn-printer|${m}`));
  });

  it('writes Init Duration only on the cold start and bills whole milliseconds', async () => {
    const { pool } = start('trivial');
    const cold = await pool.invoke('{}', 'req-cold');
    const warm = await pool.invoke('{}', 'req-warm');
    expect(cold.initDurationMs).toBeGreaterThan(0);
    expect(warm.initDurationMs).toBeUndefined();
    expect(cold.log).toMatch(/^INIT_START Runtime Version: [^\n]+\nSTART RequestId: req-cold Version: \$LATEST\nEND RequestId: req-cold\nREPORT RequestId: req-cold\t/);
    expect(cold.log).toContain('Init Duration: ');
    expect(warm.log).toMatch(/^START RequestId: req-warm /);
    expect(warm.log).not.toContain('Init Duration');
    const report = /Duration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms/.exec(warm.log)!;
    expect(Number(report[2])).toBe(Math.max(1, Math.ceil(Number(report[1]))));
    // Since 2025-08-01 a cold start bills the INIT phase too: Billed Duration covers Init Duration plus Duration.
    const coldReport = /\tDuration: (\d+\.\d\d) ms\tBilled Duration: (\d+) ms\t.*\tInit Duration: (\d+\.\d\d) ms\t/.exec(cold.log)!;
    const [, duration, billed, init] = coldReport.map(Number) as [number, number, number, number];
    expect(init).toBeGreaterThan(0);
    // From the printed two-decimal figures, the sum may round to either side of a millisecond boundary.
    expect(billed).toBeGreaterThanOrEqual(Math.ceil(duration + init - 0.01));
    expect(billed).toBeLessThanOrEqual(Math.ceil(duration + init + 0.01));
    expect(billed).toBeGreaterThan(Math.ceil(duration));
    expect(warm.requestId).toBe('req-warm');
    const generated = await pool.invoke('{}');
    expect(generated.requestId).toMatch(UUID);
  });

  it("reports the runtime's peak memory as Max Memory Used, in MB, kept after the handler released it", async () => {
    // First touches of fresh memory can be slow on a loaded virtual machine: a generous timeout.
    const { pool } = start('memory-peak', { memorySizeMb: 512, timeoutSeconds: 20 });
    const maxUsed = (execution: Execution) => {
      expect(execution.ok).toBe(true);
      return Number(/\tMax Memory Used: (\d+) MB\t/.exec(execution.log)![1]);
    };
    const before = maxUsed(await pool.invoke('{"mb":0}', 'req-small'));
    const peak = maxUsed(await pool.invoke('{"mb":64}', 'req-big'));
    const after = maxUsed(await pool.invoke('{"mb":0}', 'req-after'));
    expect(before).toBeGreaterThan(10);
    expect(peak).toBeGreaterThanOrEqual(before + 60);
    expect(after).toBeGreaterThanOrEqual(peak);
  });
});
