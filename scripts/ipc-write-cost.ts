/**
 * `tsx scripts/ipc-write-cost.ts [messages]`: what one message to an execution
 * environment costs the runtime's main thread on this machine, against writes
 * that wake nobody. A profiling aid behind the README's "what bounds the
 * pipeline", not a benchmark (see bench/).
 *
 * Each line is the writer's time per call, with a ~430-byte message like an
 * invocation's:
 * - IPC channel, child waiting: `child.send` to a process asleep in its event
 *   loop, as an idle environment is (one round trip per message);
 * - the same with both processes pinned to one core (`taskset`), when the
 *   machine has it: whether the cost is the cross-core interrupt or the wake;
 * - worker thread, waiting: `postMessage` to a worker asleep in its event
 *   loop, the hand-off that moving services off the main thread would add;
 * - pipe nobody waits on: the same bytes into a child that never reads them;
 * - /dev/null: the bare system call.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

const ECHO = 'ipc-write-cost-echo';
const PINNED = '--pinned';
const messages = Number(process.argv[2] ?? 2000);
const payload = { t: 'i', id: 0, p: 'x'.repeat(400) };

if (process.argv[2] === ECHO) {
  process.on('message', (message: { id: number }) => process.send?.({ t: 'r', id: message.id }));
  process.send?.('ready');
} else if (process.argv.includes(PINNED)) {
  console.log((await ipcRoundTrips()).toFixed(1));
} else {
  await main();
}

async function main(): Promise<void> {
  if (!Number.isInteger(messages) || messages < 1) throw new Error(`messages must be a positive integer, not ${process.argv[2]}`);
  console.log(`${messages} messages of ${JSON.stringify(payload).length} bytes, µs per call on the writer:`);
  console.log(`  IPC channel, child waiting:          ${(await ipcRoundTrips()).toFixed(1)}`);
  if (spawnSync('taskset', ['-c', '0', 'true']).status === 0) {
    // The child inherits the parent's affinity, so both run on core 0.
    const pinned = spawnSync('taskset', ['-c', '0', process.execPath, ...process.execArgv, process.argv[1]!, String(messages), PINNED], { encoding: 'utf8' });
    console.log(`  IPC channel, child waiting, one core: ${pinned.status === 0 ? pinned.stdout.trim() : pinned.stderr.trim()}`);
  }
  console.log(`  worker thread, waiting:              ${(await workerRoundTrips()).toFixed(1)}`);
  console.log(`  pipe nobody waits on:                ${unreadPipe().toFixed(1)}`);
  console.log(`  /dev/null:                           ${devNull().toFixed(1)}`);
}

async function ipcRoundTrips(): Promise<number> {
  const child = fork(process.argv[1]!, [ECHO], { execArgv: process.execArgv });
  await reply(child);
  let spent = 0;
  for (let i = 0; i < messages; i++) {
    const start = performance.now();
    child.send({ ...payload, id: i });
    spent += performance.now() - start;
    await reply(child);
  }
  child.kill();
  return (spent / messages) * 1000;
}

function reply(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => child.once('message', resolve));
}

async function workerRoundTrips(): Promise<number> {
  const worker = new Worker("require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m.id))", { eval: true });
  const next = () => new Promise((resolve) => worker.once('message', resolve));
  worker.postMessage({ ...payload, id: -1 });
  await next();
  let spent = 0;
  for (let i = 0; i < messages; i++) {
    const start = performance.now();
    worker.postMessage({ ...payload, id: i });
    spent += performance.now() - start;
    await next();
  }
  await worker.terminate();
  return (spent / messages) * 1000;
}

function unreadPipe(): number {
  // A child that never reads its stdin: no one waits on the pipe, so a write wakes nobody.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  const text = JSON.stringify(payload);
  // Stay well inside the pipe's buffer, so no write blocks.
  const count = Math.min(messages, 100);
  const start = performance.now();
  for (let i = 0; i < count; i++) writeSync(fd, text);
  const micros = ((performance.now() - start) / count) * 1000;
  child.kill();
  return micros;
}

function devNull(): number {
  const fd = openSync('/dev/null', 'w');
  const text = JSON.stringify(payload);
  const start = performance.now();
  for (let i = 0; i < messages; i++) writeSync(fd, text);
  closeSync(fd);
  return ((performance.now() - start) / messages) * 1000;
}
