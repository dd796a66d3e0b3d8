import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { treeRss } from '../../bench/process-tree.js';
import { waitFor } from '../support/wait-for.js';

describe.runIf(process.platform === 'linux')('treeRss', () => {
  it('sums the root and every descendant, grandchildren included', async () => {
    // A shell that starts a sleeping grandchild and waits for it.
    const child = spawn('/bin/sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      await waitFor(() => treeRss(child.pid!).processes === 2, 'the shell and its sleeping child to be in the tree', 5_000);
      const tree = treeRss(child.pid!);
      expect(tree.mb).toBeGreaterThan(0);
      // This process is the shell's parent, so its tree holds three processes and more memory.
      const mine = treeRss(process.pid);
      expect(mine.processes).toBeGreaterThanOrEqual(3);
      expect(mine.mb).toBeGreaterThan(tree.mb);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
