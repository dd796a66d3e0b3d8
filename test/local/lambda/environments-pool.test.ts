import { describe, expect, it } from 'vitest';
import os from 'node:os';
import { defaultIdleTimeoutMs, defaultMaxEnvironments, FunctionPool, ThrottledError } from '../../../local/lambda/environments.js';
import {
  billedDuration,
  initReportLine,
  logStreamName,
  reportLine,
  runtimeExitMessage,
  timeoutLine,
} from '../../../local/lambda/log-format.js';
import { fixtureConfig, MemoryLogs } from './environments-helpers.js';
import { poolStarter } from './pool-starter.js';

const start = poolStarter();

describe('FunctionPool: warm reuse and scaling', () => {
  it('initialises once and reuses the warm environment for sequential invokes', async () => {
    const { pool, logs } = start('counter');
    const results: Array<{ inits: number; invocations: number; pid: number }> = [];
    for (let i = 0; i < 5; i++) results.push(JSON.parse((await pool.invoke('{}')).payload));
    expect(results.map((r) => r.inits)).toEqual([1, 1, 1, 1, 1]);
    expect(results.map((r) => r.invocations)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(results.map((r) => r.pid)).size).toBe(1);
    expect(pool.size).toBe(1);
    expect(pool.busy).toBe(0);
    // One environment, one log stream holding all five invocations.
    const streams = logs.groups.get('/aws/lambda/fn-counter')!;
    expect(streams.size).toBe(1);
    expect([...streams.values()][0]!.filter((e) => e.message.startsWith('REPORT'))).toHaveLength(5);
  });

  it('scales out to the cap, then makes invocations wait for a free environment instead of throttling', async () => {
    const { pool } = start('slow', {}, { maxEnvironments: 2 });
    const first = pool.invoke('{"ms":300}');
    const second = pool.invoke('{"ms":300}');
    expect(pool.busy).toBe(2);
    expect(pool.size).toBe(2);
    const third = pool.invoke('{"ms":1}');
    const fourth = pool.invoke('{"ms":1}');
    expect(pool.waiting).toBe(2);
    expect(pool.size).toBe(2);
    const results = await Promise.all([first, second, third, fourth]);
    expect(results.every((e) => e.ok)).toBe(true);
    const pids = results.map((e) => (JSON.parse(e.payload) as { pid: number }).pid);
    expect(new Set(pids.slice(0, 2)).size).toBe(2);
    // The waiting ones ran warm on the same two environments, as soon as one was released.
    expect(pids.slice(2).every((pid) => pids.slice(0, 2).includes(pid))).toBe(true);
    expect(results.slice(2).every((e) => e.initDurationMs === undefined)).toBe(true);
    expect(pool.waiting).toBe(0);
    expect(pool.busy).toBe(0);
    expect(pool.size).toBe(2);
  });

  it('hands a slot freed by a dying environment to a waiting invocation', async () => {
    const { pool } = start('crashy', { timeoutSeconds: 10 }, { maxEnvironments: 1 });
    const crash = pool.invoke('{"mode":"exit"}');
    const waiting = pool.invoke('{}');
    expect(pool.waiting).toBe(1);
    expect((await crash).ok).toBe(false);
    expect((await waiting).ok).toBe(true);
    expect(pool.size).toBe(1);
  });

  it('refuses invocations still waiting when disposed', async () => {
    const { pool } = start('slow', {}, { maxEnvironments: 1 });
    const running = pool.invoke('{"ms":200}');
    const waiting = pool.invoke('{"ms":1}');
    await pool.dispose();
    await expect(waiting).rejects.toBeInstanceOf(ThrottledError);
    expect((await running).ok).toBe(false);
  });

  it('throttles only at reserved concurrency, counting waiting invocations, and 0 throttles everything', async () => {
    const reserved = start('slow', { reservedConcurrency: 2 }, { maxEnvironments: 1 }).pool;
    const running = reserved.invoke('{"ms":100}');
    // Over the local cap but within the reservation: it waits.
    const waiting = reserved.invoke('{"ms":1}');
    expect(reserved.size).toBe(1);
    await expect(reserved.invoke('{}')).rejects.toBeInstanceOf(ThrottledError);
    expect((await running).ok).toBe(true);
    expect((await waiting).ok).toBe(true);
    const zero = start('slow', { reservedConcurrency: 0 }).pool;
    await expect(zero.invoke('{}')).rejects.toBeInstanceOf(ThrottledError);
    expect(zero.size).toBe(0);
  });

  it('reports its environments, busy ones and their memory', async () => {
    const { pool } = start('slow', { timeoutSeconds: 10 }, { maxEnvironments: 3 });
    expect(pool.stats()).toEqual({ environments: 0, busyEnvironments: 0, waiting: 0, rssBytes: 0 });
    // Long enough to outlast the second environment's cold start on a loaded machine.
    const running = pool.invoke('{"ms":3000}');
    await pool.invoke('{"ms":1}');
    const stats = pool.stats();
    expect(stats).toMatchObject({ environments: 2, busyEnvironments: 1, waiting: 0 });
    // Each runtime process holds at least a few MB.
    expect(stats.rssBytes).toBeGreaterThan(2 * 5 * 1024 * 1024);
    expect((await running).ok).toBe(true);
  });

  it('reaps environments idle for longer than idleTimeoutMs', async () => {
    const { pool } = start('counter', {}, { idleTimeoutMs: 100 });
    const first = JSON.parse((await pool.invoke('{}')).payload) as { pid: number };
    expect(pool.size).toBe(1);
    for (let i = 0; i < 50 && pool.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pool.size).toBe(0);
    const next = await pool.invoke('{}');
    expect(next.initDurationMs).toBeDefined();
    expect((JSON.parse(next.payload) as { pid: number; inits: number }).pid).not.toBe(first.pid);
  });

  it('fails like AWS when the asset directory is missing, and survives a throwing log sink and echo', async () => {
    const { pool, logs } = start(
      'ok',
      { codeDir: '/nonexistent/asset' },
      {
        onOutput: () => {
          throw new Error('terminal gone');
        },
      },
    );
    // Nothing is written before the first invocation (the pool only creates the group).
    logs.putLogEvents = () => {
      throw new Error('log store down');
    };
    const execution = await pool.invoke('{}');
    expect(execution.ok).toBe(false);
    expect(JSON.parse(execution.payload)).toMatchObject({ errorType: 'Runtime.ImportModuleError' });
    expect(execution.log).toContain('Status: error\tError Type: Runtime.ImportModuleError');
  });

  it('resolves an invocation still starting when the pool is disposed', async () => {
    const { pool } = start('counter');
    const pending = pool.invoke('{}');
    await pool.dispose();
    const execution = await pending;
    expect(execution.ok).toBe(false);
    expect(pool.size).toBe(0);
    await expect(pool.invoke('{}')).rejects.toBeInstanceOf(ThrottledError);
  });

  it('defaults to twice the cores (at least 4) and to AWS\'s idle minutes on the time scale (at least 10 s)', () => {
    expect(defaultMaxEnvironments()).toBe(Math.max(4, 2 * os.availableParallelism()));
    expect(defaultMaxEnvironments()).toBeGreaterThanOrEqual(4);
    expect(defaultIdleTimeoutMs(1)).toBe(300_000);
    expect(defaultIdleTimeoutMs(1 / 60)).toBe(10_000);
    expect(defaultIdleTimeoutMs(1 / 10)).toBe(30_000);
  });

  it('rejects runtimes other than Node.js', () => {
    const logs = new MemoryLogs();
    expect(() => new FunctionPool(fixtureConfig('ok', { runtime: 'python3.12' }), { logs })).toThrow(/python3\.12/);
  });

  it('creates the log group up front', () => {
    const { logs } = start('ok');
    expect(logs.groups.has('/aws/lambda/fn-ok')).toBe(true);
  });
});

describe('log-format', () => {
  it('writes REPORT fields tab-terminated, Init Duration and Status only when given', () => {
    expect(
      reportLine({ requestId: 'r', durationMs: 12.345, billedDurationMs: 13, memorySizeMb: 128, maxMemoryUsedMb: 60, initDurationMs: 150.123 }),
    ).toBe('REPORT RequestId: r\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 150.12 ms\t');
    expect(
      reportLine({ requestId: 'r', durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 60, status: 'error', errorType: 'Runtime.ExitError' }),
    ).toBe('REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tStatus: error\tError Type: Runtime.ExitError\t');
  });

  it('writes INIT_REPORT for a failed init', () => {
    expect(initReportLine(12.345, 'error', 'Runtime.ImportModuleError')).toBe(
      'INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError',
    );
    expect(initReportLine(10000, 'timeout')).toBe('INIT_REPORT Init Duration: 10000.00 ms\tPhase: init\tStatus: timeout');
  });

  it('bills whole milliseconds rounded up', () => {
    expect(billedDuration(0.2)).toBe(1);
    expect(billedDuration(12.01)).toBe(13);
    expect(billedDuration(13)).toBe(13);
  });

  it('words runtime exits and timeouts as Lambda does', () => {
    expect(runtimeExitMessage('id', { code: 1, signal: null })).toBe('RequestId: id Error: Runtime exited with error: exit status 1');
    expect(runtimeExitMessage('id', { code: null, signal: 'SIGKILL' })).toBe('RequestId: id Error: Runtime exited with error: signal: killed');
    expect(runtimeExitMessage('id', { code: 0, signal: null })).toBe('RequestId: id Error: Runtime exited without providing a reason');
    expect(timeoutLine('id', 3, Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe('2024-01-02T03:04:05.006Z id Task timed out after 3.00 seconds');
  });

  it('names log streams by UTC date and version with 32 hex digits', () => {
    expect(logStreamName(Date.UTC(2024, 0, 2))).toMatch(/^2024\/01\/02\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});
