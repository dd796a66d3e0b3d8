import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSources, type SourceWatcher } from '../../../local/reload/source-watcher.js';
import { waitForValue } from '../../support/wait-for.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tdl-watch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', watch: { include: ['lib/**', 'lambda/**'], exclude: ['**/*.d.ts', 'node_modules', 'test'] } }));
  for (const sub of ['lib/deep', 'lambda', 'test', 'node_modules/pkg', 'docs']) mkdirSync(path.join(dir, sub), { recursive: true });
  return dir;
}

function watched(dir: string, debounceMs: number): { batches: string[][]; watcher: SourceWatcher } {
  const batches: string[][] = [];
  const watcher = watchSources(dir, (files) => batches.push(files), debounceMs);
  cleanups.push(() => watcher.close());
  return { batches, watcher };
}

const until = <T>(what: string, probe: () => T | undefined, ms = 5_000) => waitForValue(probe, what, ms);

describe('watching the app sources', () => {
  it('reports a burst of saves of sources as one batch, and ignores excluded and unincluded files', async () => {
    const dir = project();
    const { batches } = watched(dir, 200);
    writeFileSync(path.join(dir, 'test', 'a.ts'), 'x');
    writeFileSync(path.join(dir, 'node_modules', 'pkg', 'index.js'), 'x');
    writeFileSync(path.join(dir, 'docs', 'notes.md'), 'x');
    writeFileSync(path.join(dir, 'lib', 'types.d.ts'), 'x');
    writeFileSync(path.join(dir, 'lib', 'deep', 'stack.ts'), 'one');
    writeFileSync(path.join(dir, 'lambda', 'handler.ts'), 'one');
    writeFileSync(path.join(dir, 'lambda', 'handler.ts'), 'two');
    const batch = await until('a batch of changed sources', () => batches[0]);
    expect(batch).toEqual(['lambda/handler.ts', 'lib/deep/stack.ts']);
    // Quiet afterwards: the burst was one batch.
    await new Promise((r) => setTimeout(r, 400));
    expect(batches).toHaveLength(1);
  });

  it('reports nothing after close', async () => {
    const dir = project();
    const { batches, watcher } = watched(dir, 50);
    watcher.close();
    writeFileSync(path.join(dir, 'lib', 'stack.ts'), 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(batches).toEqual([]);
  });
});
