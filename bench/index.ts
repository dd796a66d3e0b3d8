/**
 * `npm run bench`: every benchmark in one run on this machine, so each
 * result is printed beside the floor or baseline it is compared with.
 */
const benches: Array<[string, () => Promise<{ run: () => Promise<void> }>]> = [
  ['Lambda warm invoke', () => import('./lambda-invoke.js')],
  ['EventBridge pattern matching', () => import('./eventbridge-match.js')],
  ['Pipeline, durable state against in memory', () => import('./durable-pipeline.js')],
];

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const [name, load] of benches) {
  if (only.length > 0 && !only.some((word) => name.toLowerCase().includes(word.toLowerCase()))) continue;
  console.log(`\n=== ${name} ===`);
  const { run } = await load();
  await run();
}
