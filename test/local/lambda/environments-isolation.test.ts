import { describe, expect, it } from 'vitest';
import type { Execution, FunctionPool } from '../../../local/lambda/environments.js';
import { poolStarter } from './pool-starter.js';

const start = poolStarter();

function pidOf(execution: Execution): number {
  return (JSON.parse(execution.payload) as { pid: number }).pid;
}

function errorOf(execution: Execution): { errorType: string; errorMessage: string } {
  return JSON.parse(execution.payload) as { errorType: string; errorMessage: string };
}

async function warm(pool: FunctionPool): Promise<number> {
  const execution = await pool.invoke('{}');
  expect(execution.ok).toBe(true);
  return pidOf(execution);
}

describe('FunctionPool: functions cannot stop the runtime', () => {
  // This test process plays the runtime: if a signal reached it, the test run itself would die.
  it.each([
    ['SIGTERM', 'terminated'],
    ['SIGINT', 'SIGINT'],
    ['SIGKILL', 'killed'],
  ])('survives a handler sending %s to its parent process, and fails that invocation', async (signal, word) => {
    const { pool } = start('crashy', { timeoutSeconds: 10 });
    const pid = await warm(pool);
    const execution = await pool.invoke(JSON.stringify({ mode: 'kill-parent', signal }), `req-${signal}`);
    expect(execution.ok).toBe(false);
    expect(errorOf(execution)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: req-${signal} Error: Runtime exited with error: signal: ${word}`,
    });
    expect(execution.log).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError\t\n$/);
    // The environment is replaced and the runtime keeps serving.
    expect(pool.size).toBe(0);
    expect(await warm(pool)).not.toBe(pid);
  });

  it('survives a handler signalling its own process group', async () => {
    const { pool } = start('crashy', { timeoutSeconds: 10 });
    const pid = await warm(pool);
    const execution = await pool.invoke('{"mode":"kill-group"}', 'req-group');
    expect(errorOf(execution).errorMessage).toBe('RequestId: req-group Error: Runtime exited with error: signal: terminated');
    expect(await warm(pool)).not.toBe(pid);
  });

  it('gives the function a parent process that is not the runtime', async () => {
    const { pool } = start('crashy');
    const { pid, ppid } = JSON.parse((await pool.invoke('{}')).payload) as { pid: number; ppid: number };
    expect(pid).not.toBe(process.pid);
    expect(ppid).not.toBe(process.pid);
  });
});

describe('FunctionPool: a failure after the handler returned', () => {
  it.each([
    ['an uncaught exception', 'throw', 'Uncaught Exception'],
    ['process.exit', 'exit', undefined],
  ])('is not charged to the next invocation: %s just before it starts', async (_, how, logged) => {
    const { pool, logs, config } = start('crashy', { timeoutSeconds: 10 });
    const first = await pool.invoke(JSON.stringify({ mode: 'late', how }), 'req-late');
    expect(first.ok).toBe(true);
    // The environment dies as this invocation reaches it: it runs on a fresh one instead.
    const next = await pool.invoke('{}', 'req-next');
    expect(next.ok).toBe(true);
    expect(pidOf(next)).not.toBe(pidOf(first));
    expect(next.initDurationMs).toBeDefined();
    expect(next.log).toMatch(/^INIT_START [^\n]+\nSTART RequestId: req-next Version: \$LATEST\nEND RequestId: req-next\n/);
    expect(next.log).not.toContain('late boom');
    // The late error is in the old environment's log stream, and that stream never started req-next.
    const streams = [...logs.groups.get(config.logGroupName)!.values()].map((events) => events.map((e) => e.message).join(''));
    expect(streams).toHaveLength(2);
    const [old, fresh] = streams as [string, string];
    if (logged) expect(old).toContain(`\tERROR\t${logged} \t{"errorType":"Error","errorMessage":"late boom"`);
    expect(old).not.toContain('req-next');
    expect(fresh).toContain('START RequestId: req-next');
    expect(pool.size).toBe(1);
  });

  it('ends an environment whose promise rejects between invocations; the next one starts fresh', async () => {
    const { pool, logs, config } = start('crashy', { timeoutSeconds: 10 });
    const first = await pool.invoke('{"mode":"late-rejection","ms":20}', 'req-late');
    expect(first.ok).toBe(true);
    const deadline = Date.now() + 5_000;
    while (pool.size > 0) {
      if (Date.now() > deadline) throw new Error('the environment never ended after its late unhandled rejection');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const next = await pool.invoke('{}');
    expect(next.ok).toBe(true);
    expect(pidOf(next)).not.toBe(pidOf(first));
    const messages = logs.messages(config.logGroupName).join('');
    // Logged with the last request id, as the Node.js runtime's console does.
    expect(messages).toMatch(/\treq-late\tERROR\tUnhandled Promise Rejection \t\{"errorType":"Runtime\.UnhandledPromiseRejection","errorMessage":"Error: late rejection"/);
  });

  it('charges a late error to the invocation running when it happens', async () => {
    const { pool } = start('crashy', { timeoutSeconds: 10 });
    await pool.invoke('{"mode":"late-rejection","ms":100}');
    const running = await pool.invoke('{"mode":"sleep","ms":1000}', 'req-running');
    expect(running.ok).toBe(false);
    expect(errorOf(running)).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'Error: late rejection' });
  });
});

describe('FunctionPool: a failure while init is still running', () => {
  it('is an init error: the invocation gets it and the environment is replaced', async () => {
    const { pool } = start('init-late', { timeoutSeconds: 10 });
    const execution = await pool.invoke('{}', 'req-init');
    expect(execution.ok).toBe(false);
    expect(errorOf(execution)).toMatchObject({ errorType: 'TypeError', errorMessage: 'init boom' });
    expect(execution.log).toMatch(/\tERROR\tUncaught Exception \t\{"errorType":"TypeError","errorMessage":"init boom"/);
    expect(execution.log).toMatch(/INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\tStatus: error\tError Type: TypeError\n/);
    expect(execution.log).toMatch(/\tStatus: error\tError Type: TypeError\t\n$/);
    const deadline = Date.now() + 5_000;
    while (pool.size > 0) {
      if (Date.now() > deadline) throw new Error('the environment whose init failed was never replaced');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});
