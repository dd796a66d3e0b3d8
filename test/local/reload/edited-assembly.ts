/**
 * A copy of a synthesized cloud assembly (assets included, so every code
 * path differs from the original) whose stack template `edit` changes: what
 * a reload test swaps in without synthesizing.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { startWatchedRuntime, type WatchedRuntimeOptions } from '../../../local/reload/hot-reload.js';
import type { LocalRuntime } from '../../../local/runtime.js';

export function editedAssembly<R = unknown>(workDir: string, source: string, edit: (resources: Record<string, R>) => void): string {
  const dir = path.join(workDir, 'assembly');
  cpSync(source, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const templateFile = Object.values(manifest.artifacts).find((a) => a.type === 'aws:cloudformation:stack')!.properties!.templateFile!;
  const template = JSON.parse(readFileSync(path.join(dir, templateFile), 'utf8')) as { Resources: Record<string, R> };
  edit(template.Resources);
  writeFileSync(path.join(dir, templateFile), JSON.stringify(template));
  return dir;
}

export interface Cleanup {
  readonly tempDir: (prefix: string) => string;
  readonly onCleanup: (cleanup: () => Promise<void> | void) => void;
}

/** Temporary directories (and any other cleanup a test registers) removed after each test, newest first. */
export function cleanupAfterEach(): Cleanup {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    tempDir(prefix) {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    onCleanup: (cleanup) => void cleanups.push(cleanup),
  };
}

/**
 * A watched runtime on an empty project whose saves under `lib/` call
 * `options.synthesize` (the test decides what a synthesis gives, the first
 * start included); its printed lines collected, stopped after the test.
 */
export async function startOnWatchedProject(
  { tempDir, onCleanup }: Cleanup,
  options: Partial<WatchedRuntimeOptions> & Pick<WatchedRuntimeOptions, 'synthesize'>,
): Promise<{ readonly runtime: LocalRuntime; readonly project: string; readonly lines: string[] }> {
  const project = tempDir('tdl-reload-project-');
  writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'true', watch: { include: ['lib/**'] } }));
  mkdirSync(path.join(project, 'lib'));
  const lines: string[] = [];
  const runtime = await startWatchedRuntime({
    projectDir: project,
    port: 0,
    timeScale: 1 / 1200,
    print: (line) => lines.push(line),
    state: { dir: tempDir('tdl-reload-state-') },
    debounceMs: 50,
    ...options,
  });
  onCleanup(() => runtime.stop());
  return { runtime, project, lines };
}
