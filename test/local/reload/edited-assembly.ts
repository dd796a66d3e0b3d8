/**
 * A copy of a synthesized cloud assembly (assets included, so every code
 * path differs from the original) whose stack template `edit` changes: what
 * a reload test swaps in without synthesizing.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

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

/** Temporary directories (and any other cleanup a test registers) removed after each test, newest first. */
export function cleanupAfterEach(): { readonly tempDir: (prefix: string) => string; readonly onCleanup: (cleanup: () => Promise<void> | void) => void } {
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
