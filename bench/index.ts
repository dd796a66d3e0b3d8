/**
 * `npm run bench`: every benchmark in one run on this machine, each printed
 * beside the floor or peer it is compared with (see bench/harness.ts).
 *
 * `npm run bench -- --quick` runs fewer rounds at smaller sizes and skips
 * the start-up bench, for a CI smoke run; other words filter benches by name.
 */
import type { BenchOptions } from './harness.js';

type Bench = { run: (options: BenchOptions) => Promise<void> };

const benches: Array<{ name: string; load: () => Promise<Bench>; full?: boolean }> = [
  { name: 'Lambda warm invoke', load: () => import('./lambda-invoke.js') },
  { name: 'Lambda Invoke through the AWS SDK', load: () => import('./sdk-invoke.js') },
  { name: 'EventBridge pattern matching', load: () => import('./eventbridge-match.js') },
  { name: 'FilterLogEvents', load: () => import('./filter-log-events.js') },
  { name: 'Pipeline SendEvent to success log', load: () => import('./pipeline.js') },
  // Two runtimes side by side: only in the full run, so --quick stays under a minute.
  { name: 'Pipeline, durable state against in memory', load: () => import('./durable-pipeline.js'), full: true },
  // 20,000 events through a separate runtime process: minutes, so only in the full run.
  { name: 'Memory of the process tree after 20,000 events', load: () => import('./memory.js'), full: true },
  // Two syntheses per round: minutes, so only in the full run.
  { name: 'Start-up against cdk synth', load: () => import('./startup.js'), full: true },
];

const args = process.argv.slice(2);
const options: BenchOptions = { quick: args.includes('--quick') };
const only = args.filter((a) => !a.startsWith('--'));
const started = performance.now();
for (const { name, load, full } of benches) {
  if (only.length > 0 && !only.some((word) => name.toLowerCase().includes(word.toLowerCase()))) continue;
  if (full && options.quick) {
    console.log(`\n=== ${name} === (skipped with --quick)`);
    continue;
  }
  console.log(`\n=== ${name} ===`);
  const { run } = await load();
  await run(options);
}
console.log(`\nall benches: ${((performance.now() - started) / 1000).toFixed(1)} s${options.quick ? ' (--quick)' : ''}`);
