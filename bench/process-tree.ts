/** The resident memory of a process tree, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory (MB) of `root` and every process below it, and how many there are. */
export function treeRss(root: number): { mb: number; processes: number } {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number) => {
    for (let p: number | undefined = pid; p !== undefined && p > 0; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  let kb = 0;
  let processes = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      processes++;
    } catch {
      // gone meanwhile
    }
  }
  return { mb: kb / 1024, processes };
}
