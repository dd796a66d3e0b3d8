/**
 * `tsx scripts/pipeline-profile.ts [requests] [concurrency]`: the pipeline in
 * this process (for `node --cpu-prof --import tsx`), GET /prod/SendEvent until
 * the success logger has logged each messageId, with the stage throttle raised.
 * Prints completions/s; a profiling aid, not a benchmark (see bench/).
 */
import { startRuntime } from '../local/runtime.js';
import { assemblyForTests, repoRoot } from '../test/support/local-runtime.js';

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 8);
const print = process.env['PIPELINE_PRINT'] ? (line: string) => console.log(line) : undefined;

const assembly = await assemblyForTests({ throttlingRateLimit: '100000', throttlingBurstLimit: '100000' });
const runtime = await startRuntime({ projectDir: repoRoot, assembly, port: 0, timeScale: 1 / 600, ...(print ? { print } : {}) });
const url = `${runtime.endpoint}/prod/SendEvent`;

const waiting = new Map<string, () => void>();
const logged = new Set<string>();
runtime.services.logs.subscribe((group, _stream, events) => {
  if (!group.endsWith('-success-logger')) return;
  for (const e of events) {
    for (const m of e.message.matchAll(/"MessageId":"([0-9a-f-]{36})"/g)) {
      const id = m[1]!;
      logged.add(id);
      waiting.get(id)?.();
    }
  }
});

async function one(): Promise<void> {
  const response = await fetch(url);
  const body = (await response.json()) as { messageId?: string };
  if (response.status !== 200 || !body.messageId) throw new Error(`HTTP ${response.status} ${JSON.stringify(body)}`);
  const id = body.messageId;
  if (logged.has(id)) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} never reached the success logger`)), 60_000);
    waiting.set(id, () => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve();
    });
  });
}

async function run(n: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await one();
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

await run(100); // warm the environments
const rate = await run(requests);
console.log(`${requests} events at concurrency ${concurrency}: ${rate.toFixed(1)} completions/s (load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
await runtime.stop();
