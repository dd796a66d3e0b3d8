/**
 * Across a reload, a function whose configuration and bundled code are
 * unchanged keeps its warm execution environments, and their logs land in
 * the new runtime's log store; a changed function starts cold.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPoolFactory, type Execution, type PoolFactory } from '../../../local/lambda/pool.js';
import { assemblyForTests } from '../../support/local-runtime.js';
import { waitFor } from '../../support/wait-for.js';
import { cleanupAfterEach, editedAssembly as editedAssemblyIn, startOnWatchedProject } from './edited-assembly.js';

const cleanup = cleanupAfterEach();
const { tempDir } = cleanup;

function editedAssembly(source: string, edit: (resources: Record<string, any>) => void): string {
  return editedAssemblyIn(tempDir('tdl-warm-asm-'), source, edit);
}

const until = (what: string, probe: () => boolean, ms = 30_000) => waitFor(probe, what, ms, { intervalMs: 50 });

describe('execution environments across a reload', () => {
  it('an unchanged function keeps its warm pool, writing to the new log store; a changed one gets a new pool and the old one stops', async () => {
    const good = await assemblyForTests();
    // The success logger gets a new environment variable; the destined function's bundle is copied byte for byte.
    const changed = editedAssembly(good, (resources) => {
      const [, logger] = Object.entries(resources).find(([id, r]) => id.startsWith('SuccessLogger') && r.Type === 'AWS::Lambda::Function')!;
      logger.Properties.Environment ??= { Variables: {} };
      logger.Properties.Environment.Variables.RELOADED = 'yes';
    });

    const created: string[] = [];
    const disposed: string[] = [];
    const executions: { fn: string; execution: Execution }[] = [];
    const spy: PoolFactory = (config, options) => {
      created.push(config.functionName);
      const pool = defaultPoolFactory(config, options);
      return {
        invoke: async (payload, requestId) => {
          const execution = await pool.invoke(payload, requestId);
          executions.push({ fn: config.functionName, execution });
          return execution;
        },
        dispose: () => {
          disposed.push(config.functionName);
          return pool.dispose();
        },
      };
    };

    let next = good;
    const { runtime, project, lines } = await startOnWatchedProject(cleanup, {
      poolFactory: spy,
      // The first start and every save: the test decides what a synthesis gives.
      synthesize: async () => next,
    });
    const output = (key: string) => runtime.stack.outputs.find((o) => o.OutputKey === key)!.OutputValue;
    const destined = output('DestinedFunctionName');
    const logger = output('SuccessLoggerFunctionName');
    const functionCount = created.length;
    expect(created).toContain(destined);

    await runtime.services.lambda.invoke(destined, '{}', 'RequestResponse');
    await runtime.services.lambda.invoke(logger, '{}', 'RequestResponse');
    expect(executions.map((e) => [e.fn, e.execution.initDurationMs !== undefined])).toEqual([[destined, true], [logger, true]]);
    const firstLogs = runtime.services.logs;

    next = changed;
    writeFileSync(path.join(project, 'lib', 'stack.ts'), 'one');
    await until('a reload line', () => lines.some((l) => l.startsWith('reloaded in ')));
    expect(lines.find((l) => l.startsWith('reloaded in '))).toMatch(/modified \(.*SuccessLogger/);
    expect(runtime.services.logs).not.toBe(firstLogs);

    // Only the changed function got a new pool; only its old pool stopped.
    expect(created.slice(functionCount)).toEqual([logger]);
    expect(disposed).toEqual([logger]);

    const warm = await runtime.services.lambda.invoke(destined, '{}', 'RequestResponse');
    await runtime.services.lambda.invoke(logger, '{}', 'RequestResponse');
    expect(executions.slice(2).map((e) => [e.fn, e.execution.initDurationMs !== undefined])).toEqual([[destined, false], [logger, true]]);
    // The kept environment's log lines reach the new runtime's log store.
    const group = `/aws/lambda/${destined}`;
    const logged = runtime.services.logs.groupEvents(group).map((e) => e.message).join('\n');
    expect(logged).toContain(`START RequestId: ${warm.requestId}`);
    expect(firstLogs.groupEvents(group).map((e) => e.message).join('\n')).not.toContain(warm.requestId);

    await runtime.stop();
    expect(disposed.sort()).toEqual([...new Set(created)].concat(logger).sort());
  });
});
