/**
 * FilterLogEvents on one log group of 1k, 10k and 50k events (the store's
 * default cap per group), through the Logs API operation on an in-process
 * LogStore, against the floor of a linear scan of the same messages with
 * `includes`. Each call looks for one messageId, as a sender following its
 * event does; the cost should grow with the matching window, not the group.
 *
 * Run alone: `npx tsx bench/filter-log-events.ts [--quick]`.
 */
import { pathToFileURL } from 'node:url';
import { logsApi } from '../local/logs/api.js';
import { LogStore } from '../local/logs/store.js';
import { compare, median, printComparison, timed, type BenchOptions } from './harness.js';

const GROUP = '/aws/lambda/success-logger';
const STREAMS = 8;

function messageId(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function logLine(i: number): string {
  return JSON.stringify({ level: 'INFO', message: 'Lambda destination event', messageId: messageId(i), timestamp: new Date(1_790_000_000_000 + i).toISOString() });
}

/** A store whose group holds `size` events spread over a few streams, one millisecond apart. */
function filledStore(size: number): { store: LogStore; messages: string[] } {
  const store = new LogStore({ maxEventsPerGroup: size });
  const messages: string[] = [];
  const perStream: Array<Array<{ timestamp: number; message: string }>> = Array.from({ length: STREAMS }, () => []);
  for (let i = 0; i < size; i++) {
    const message = logLine(i);
    messages.push(message);
    perStream[i % STREAMS]!.push({ timestamp: 1_790_000_000_000 + i, message });
  }
  perStream.forEach((events, s) => store.putLogEvents(GROUP, `2026/12/02/[$LATEST]stream${s}`, events));
  return { store, messages };
}

/** Median ms of `calls` calls, each looking for a different messageId. */
async function callsRound(calls: number, size: number, call: (needle: string) => unknown): Promise<number> {
  const times: number[] = [];
  for (let c = 0; c < calls; c++) {
    const needle = messageId(Math.floor(((c + 0.5) / calls) * size));
    times.push(await timed(() => call(needle)));
  }
  return median(times);
}

export async function run(options: BenchOptions = { quick: false }): Promise<void> {
  const sizes = options.quick ? [1_000, 10_000] : [1_000, 10_000, 50_000];
  const calls = options.quick ? 10 : 30;
  for (const size of sizes) {
    const { store, messages } = filledStore(size);
    const filter = logsApi(store).operations.FilterLogEvents!;
    // The floor must find what the API finds, or it is not the same work.
    const probe = messageId(Math.floor(size / 2));
    const found = (await filter({ logGroupName: GROUP, filterPattern: `"${probe}"` })) as { events: unknown[] };
    const scanned = messages.filter((m) => m.includes(probe)).length;
    if (found.events.length !== 1 || scanned !== 1) throw new Error(`FilterLogEvents found ${found.events.length}, the scan ${scanned}, expected 1`);
    printComparison(
      await compare({
        name: `FilterLogEvents for one messageId in a group of ${size.toLocaleString('en-US')} events, median of ${calls} calls per round`,
        unit: 'ms',
        rounds: options.quick ? 3 : 7,
        floor: { label: 'linear scan with includes', round: () => callsRound(calls, size, (needle) => messages.filter((m) => m.includes(needle))) },
        measured: {
          label: 'FilterLogEvents (Logs API on LogStore)',
          round: () => callsRound(calls, size, (needle) => filter({ logGroupName: GROUP, filterPattern: `"${needle}"` })),
        },
      }),
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run({ quick: process.argv.includes('--quick') });
