/**
 * Each example runs with one command, `npm start -- --app examples/<name>`,
 * as its README says: the CLI reads the folder's cdk.json, synthesizes (or
 * takes the cached assembly) and serves every stack, then stops on Ctrl+C.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchCli } from '../support/cli-process.js';
import { repoRoot } from '../support/local-runtime.js';

/** Each example and the stacks it serves. */
const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  'function-destination': ['FunctionDestinationExample'],
  'function-url': ['FunctionUrlExample'],
  'queue-event-source': ['QueueEventSourceStack'],
  'sync-async-api': ['SyncAsyncApiStack'],
};

describe('npm start -- --app examples/<name>', () => {
  it('knows every example folder', () => {
    const folders = readdirSync(path.join(repoRoot, 'examples'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [name, stacks] of Object.entries(EXAMPLES)) {
    it(`serves ${name} and stops on Ctrl+C`, async () => {
      const cli = await launchCli(['--app', `examples/${name}`, '--port', '0', '--in-memory', '--no-watch'], 120_000);
      try {
        for (const stack of stacks) expect(cli.out()).toContain(`✅  ${stack} (local)`);
        const health = await fetch(`${cli.endpoint}/_local/health`);
        expect(health.status).toBe(200);
      } finally {
        cli.child.kill('SIGINT');
      }
      expect(await cli.exited).toBe(0);
    }, 150_000);
  }
});
