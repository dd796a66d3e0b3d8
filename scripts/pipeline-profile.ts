/**
 * `tsx scripts/pipeline-profile.ts [requests] [concurrency]`: the pipeline in
 * this process (for `node --cpu-prof --import tsx`), GET /prod/SendEvent until
 * the success logger has logged each messageId, with the stage throttle raised.
 * Prints completions/s; a profiling aid, not a benchmark (see bench/).
 * `PIPELINE_CPU_PROFILE=file.cpuprofile` profiles the measured run only
 * (after start-up and warm-up), through the inspector.
 * `PIPELINE_HEAP_PROFILE=file.heapprofile` samples what the measured run
 * allocates, collected objects included: the allocation rate behind GC time.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { startRuntime } from '../local/runtime.js';
import { assemblyForTests, repoRoot } from '../test/support/local-runtime.js';

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 8);
const print = process.env['PIPELINE_PRINT'] ? (line: string) => console.log(line) : undefined;

const assembly = process.env['PIPELINE_ASSEMBLY'] ?? await assemblyForTests({ throttlingRateLimit: '100000', throttlingBurstLimit: '100000' });
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

/** CPU ms used so far by this process's descendants (the execution environments), from /proc. */
function childrenCpuMs(): number {
  return descendants().reduce((sum, d) => sum + d.cpuMs, 0);
}

/** Resident memory (MB) of the execution environments. */
function childrenRssMb(): number {
  let kb = 0;
  for (const { pid } of descendants()) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return Math.round(kb / 1024);
}

function descendants(): { pid: number; cpuMs: number }[] {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // gone meanwhile
    }
  }
  const found: { pid: number; cpuMs: number }[] = [];
  for (const [pid, cpuMs] of cpu) {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) {
      if (p === process.pid) {
        found.push({ pid, cpuMs });
        break;
      }
    }
  }
  return found;
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
const profileFile = process.env['PIPELINE_CPU_PROFILE'];
const heapProfileFile = process.env['PIPELINE_HEAP_PROFILE'];
const session = profileFile || heapProfileFile ? new Session() : undefined;
session?.connect();
if (session && profileFile) {
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
if (session && heapProfileFile) {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 8192,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}
const cpu = process.cpuUsage();
const childCpu = childrenCpuMs();
const rate = await run(requests);
const used = process.cpuUsage(cpu);
const childMs = childrenCpuMs() - childCpu;
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
}
if (session && heapProfileFile) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(heapProfileFile, JSON.stringify(profile));
}
session?.disconnect();
console.log(`${requests} events at concurrency ${concurrency}: ${rate.toFixed(1)} completions/s, runtime CPU ${((used.user + used.system) / 1000 / requests).toFixed(2)} ms/event + environments ${(childMs / requests).toFixed(2)} ms/event, environments RSS ${childrenRssMb()} MB in ${descendants().length} processes (load ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')})`);
if (process.env['PIPELINE_PRINT_ASSEMBLY']) console.log(assembly);
await runtime.stop();
