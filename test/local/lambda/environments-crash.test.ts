import { describe, expect, it } from 'vitest';
import type { Execution, FunctionConfig, FunctionPool } from '../../../local/lambda/environments.js';
import { ISO } from './environments-helpers.js';
import { poolStarter } from './pool-starter.js';

const start = poolStarter();

function crashy(maxEnvironments = 10, overrides: Partial<FunctionConfig> = {}) {
  return start('crashy', { timeoutSeconds: 1, ...overrides }, { maxEnvironments });
}

function payload(execution: Execution): { errorType: string; errorMessage: string; trace?: string[] } {
  return JSON.parse(execution.payload) as { errorType: string; errorMessage: string; trace?: string[] };
}

/** After a crash the pool must start a new environment (a new pid) and answer normally. */
async function expectServesAgain(pool: FunctionPool, crashedPid: number): Promise<void> {
  const after = await pool.invoke('{}');
  expect(after.ok).toBe(true);
  const { pid } = JSON.parse(after.payload) as { pid: number };
  expect(pid).not.toBe(crashedPid);
}

async function warmPid(pool: FunctionPool): Promise<number> {
  const warm = await pool.invoke('{}');
  return (JSON.parse(warm.payload) as { pid: number }).pid;
}

/** Warm one environment, then send it the event that kills it; the invocation must fail. */
async function crashWarm(
  event: string,
  requestId: string,
  overrides: Partial<FunctionConfig> = {},
): Promise<{ pool: FunctionPool; pid: number; execution: Execution }> {
  const { pool } = crashy(10, overrides);
  const pid = await warmPid(pool);
  const execution = await pool.invoke(event, requestId);
  expect(execution.ok).toBe(false);
  return { pool, pid, execution };
}

describe('FunctionPool: an environment that dies', () => {
  it('times out after timeoutSeconds with Sandbox.Timedout, and is replaced', async () => {
    const { pool, pid, execution } = await crashWarm('{"mode":"hang"}', 'req-to');
    expect(execution.payload).toBe(
      '{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-to Error: Task timed out after 1.00 seconds"}',
    );
    expect(execution.durationMs).toBe(1000);
    const lines = execution.log.split('\n');
    const timedOut = lines.find((l) => l.includes('Task timed out'))!;
    const [time, id, ...rest] = timedOut.split(' ');
    expect(time).toMatch(ISO);
    expect(id).toBe('req-to');
    expect(rest.join(' ')).toBe('Task timed out after 1.00 seconds');
    expect(execution.log).toMatch(
      /END RequestId: req-to\nREPORT RequestId: req-to\tDuration: 1000\.00 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tStatus: timeout\t\n$/,
    );
    expect(pool.size).toBe(0);
    await expectServesAgain(pool, pid);
  });

  it('turns process.exit(1) into Runtime.ExitError', async () => {
    const { pool, pid, execution } = await crashWarm('{"mode":"exit"}', 'req-exit');
    expect(execution.payload).toBe(
      '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-exit Error: Runtime exited with error: exit status 1"}',
    );
    expect(execution.log).toContain('RequestId: req-exit Error: Runtime exited with error: exit status 1\nRuntime.ExitError\n');
    expect(execution.log).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\t\n$/);
    await expectServesAgain(pool, pid);
  });

  it('keeps the lines printed in the same synchronous run as a process.exit, in order, before the exit error', async () => {
    const { execution } = await crashWarm('{"mode":"log-exit"}', 'req-log-exit');
    const lines = execution.log.split('\n');
    const words = lines.findIndex((l) => l.endsWith('\tINFO\tlast words'));
    expect(words).toBeGreaterThan(0);
    expect(lines[words + 1]).toBe('raw last words');
    expect(lines[words + 2]).toBe('RequestId: req-log-exit Error: Runtime exited with error: exit status 1');
  });

  it('hands over a line printed before a long wait at once, not with the outcome', async () => {
    const echoed: { line: string; at: number }[] = [];
    const hooked = start('crashy', { timeoutSeconds: 1 }, { onOutput: (_fn, line) => echoed.push({ line, at: Date.now() }) });
    await warmPid(hooked.pool);
    const execution = await hooked.pool.invoke('{"mode":"log-hang"}', 'req-log-hang');
    const finishedAt = Date.now();
    const printed = echoed.find((e) => e.line.endsWith('\tINFO\tbefore the hang'));
    expect(printed).toBeDefined();
    expect(finishedAt - printed!.at).toBeGreaterThan(500);
    expect(execution.log).toMatch(/\tINFO\tbefore the hang\n.*Task timed out after 1\.00 seconds\n/s);
  });

  it('keeps a line printed just before the handler blocks its thread until the timeout', async () => {
    const { pool } = start('crashy', { timeoutSeconds: 1 });
    const execution = await pool.invoke('{"mode":"log-spin"}', 'req-log-spin');
    expect(execution.log).toMatch(/\tINFO\tbefore the spin\n.*Task timed out after 1\.00 seconds\n/s);
  });

  it('turns process.exit(0) mid-invocation into Runtime.ExitError without a reason', async () => {
    const { pool, pid, execution } = await crashWarm('{"mode":"exit","code":0}', 'req-exit0');
    expect(execution.payload).toBe(
      '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: req-exit0 Error: Runtime exited without providing a reason"}',
    );
    await expectServesAgain(pool, pid);
  });

  it('reports an uncaught exception with its own error type and ends the environment', async () => {
    const { pool, pid, execution } = await crashWarm('{"mode":"uncaught"}', 'req-unc');
    const error = payload(execution);
    expect(error.errorType).toBe('Error');
    expect(error.errorMessage).toBe('uncaught boom');
    expect(error.trace?.[0]).toBe('Error: uncaught boom');
    expect(execution.log).toMatch(/\treq-unc\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"uncaught boom","stack":\[/);
    expect(execution.log).toContain('Runtime exited with error: exit status 129\nRuntime.ExitError');
    await expectServesAgain(pool, pid);
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
    const { pool, pid, execution } = await crashWarm('{"mode":"unhandled"}', 'req-unh');
    const error = payload(execution);
    expect(error.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(error.errorMessage).toBe('Error: rejected boom');
    expect(error.trace?.[0]).toBe('Runtime.UnhandledPromiseRejection: Error: rejected boom');
    const line = execution.log.split('\n').find((l) => l.includes('\tERROR\tUnhandled Promise Rejection \t'))!;
    expect(line.split('\t')[1]).toBe('req-unh');
    const logged = JSON.parse(line.slice(line.indexOf('Rejection \t') + 'Rejection \t'.length)) as Record<string, unknown>;
    expect(Object.keys(logged)).toEqual(['errorType', 'errorMessage', 'reason', 'promise', 'stack']);
    expect(logged).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: rejected boom',
      reason: { errorType: 'Error', errorMessage: 'rejected boom' },
      promise: {},
    });
    await expectServesAgain(pool, pid);
  });

  it('reports running out of memory as Runtime.OutOfMemory', async () => {
    // Deterministic on a loaded machine: the heap (sized from MemorySize, 16 MB at the floor) fills after
    // two 8 MB arrays, and the timeout is far beyond what that takes, so it cannot win the race.
    const { pool, pid, execution } = await crashWarm('{"mode":"leak"}', 'req-oom', { memorySizeMb: 16, timeoutSeconds: 30 });
    expect(execution.payload).toBe(
      '{"errorType":"Runtime.OutOfMemory","errorMessage":"RequestId: req-oom Error: Runtime exited with error: signal: killed"}',
    );
    expect(execution.log).toMatch(/\tStatus: error\tError Type: Runtime\.OutOfMemory\t\n$/);
    await expectServesAgain(pool, pid);
  });

  it('keeps other environments serving while one crashes', async () => {
    const { pool } = crashy(2);
    const slow = pool.invoke('{"mode":"sleep","ms":300}');
    const crash = pool.invoke('{"mode":"exit"}');
    expect(pool.size).toBe(2);
    const [slowResult, crashResult] = await Promise.all([slow, crash]);
    expect(crashResult.ok).toBe(false);
    expect(slowResult.ok).toBe(true);
    expect(pool.size).toBe(1);
    const { pid } = JSON.parse(slowResult.payload) as { pid: number };
    // The surviving environment is the one reused next.
    expect(await warmPid(pool)).toBe(pid);
  });

  it('fails in-flight invocations, without rejecting, when disposed', async () => {
    const { pool } = crashy();
    await warmPid(pool);
    const pending = pool.invoke('{"mode":"hang"}', 'req-disp');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await pool.dispose();
    const execution = await pending;
    expect(execution.ok).toBe(false);
    expect(payload(execution).errorMessage).toBe('RequestId: req-disp Error: Runtime exited with error: signal: killed');
    expect(pool.size).toBe(0);
  });
});
