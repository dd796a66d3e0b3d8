import { watch, readdirSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { appSourceFilter } from '../cloudformation/assembly-cache.js';

/** Editors save in bursts (write, rename, chmod); one reload per burst. */
export const DEFAULT_DEBOUNCE_MS = 300;

export interface SourceWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the changed source paths once saves stop for
 * `debounceMs`. Sources are cdk.json's `watch` include/exclude globs, as
 * `cdk watch` reads them. Each top-level directory is watched on its own
 * (recursive `fs.watch`, Node 20+ on Linux) so node_modules, .git and
 * excluded trees are never walked.
 */
export function watchSources(projectDir: string, onChange: (files: string[]) => void, debounceMs = DEFAULT_DEBOUNCE_MS): SourceWatcher {
  const root = path.resolve(projectDir);
  const filter = appSourceFilter(root);
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];

  const seen = (relative: string) => {
    const rel = relative.split(path.sep).join('/');
    if (!filter.isSource(rel)) return;
    changed.add(rel);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      onChange(files);
    }, debounceMs);
  };
  const add = (dir: string, recursive: boolean, prefix: string) => {
    const watcher = watch(dir, { recursive }, (_event, filename) => {
      if (filename) seen(prefix ? `${prefix}/${filename.toString()}` : filename.toString());
    });
    // A watched directory removed while running ends its watcher; that is no reason to stop the runtime.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  };

  // Files at the top (cdk.json's include may name some), then every directory that can hold a source.
  add(root, false, '');
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.isDirectory() && !filter.isExcludedDir(entry.name)) add(path.join(root, entry.name), true, entry.name);
  }
  return {
    close() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
