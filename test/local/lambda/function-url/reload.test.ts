/**
 * A hot reload rebuilds the runtime on the servers the watcher owns: each
 * function URL keeps its address, answers 503 while no runtime serves it,
 * and a runtime that owns its servers closes them on stop (no leaked port).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../../../local/cloudformation/assembly-cache.js';
import { FunctionUrlServers } from '../../../../local/lambda/function-url/servers.js';
import { startRuntime } from '../../../../local/runtime.js';
import { exampleDir } from '../../../support/local-runtime.js';

const servers = new FunctionUrlServers();
afterAll(() => servers.close());

describe('function URL servers across runtimes', () => {
  it('keeps each URL when the next runtime starts on the same servers, and closes owned servers on stop', async () => {
    const projectDir = exampleDir('function-url');
    const { dir } = await cachedAssembly({ projectDir, context: {}, validation: false });
    const options = { projectDir, assembly: dir, port: 0, functionUrlServers: servers };

    const first = await startRuntime(options);
    const urls = first.functionUrls!.map((u) => u.url).sort();
    expect(urls).toHaveLength(2);
    await first.stop();
    const between = await fetch(urls[0]!);
    expect(between.status).toBe(503);

    const second = await startRuntime(options);
    expect(second.functionUrls!.map((u) => u.url).sort()).toEqual(urls);
    await second.stop();

    const owning = await startRuntime({ projectDir, assembly: dir, port: 0 });
    const own = owning.functionUrls![0]!.url;
    expect((await fetch(`${own}nowhere`)).status).toBe(404);
    await owning.stop();
    await expect(fetch(own)).rejects.toThrow();
  }, 60_000);
});
