/**
 * FilterLogEvents shares the event loop with every other request: it scans
 * in slices, yields between them, and past its budget returns a partial page
 * with a nextToken, as AWS does when it hits its own scan limit.
 */
import { describe, expect, it } from 'vitest';
import { logsApi } from '../../../local/logs/api.js';
import { LogStore } from '../../../local/logs/store.js';

interface Page {
  events: { message: string; eventId: string }[];
  nextToken?: string;
}

function storeWith(count: number): LogStore {
  const store = new LogStore({ maxEventsPerGroup: 100_000 });
  for (let i = 0; i < count; i++) {
    store.putLogEvents('g', `s${i % 5}`, [{ timestamp: 1_000 + i, message: i % 10 === 0 ? `ERROR ${i}` : `INFO ${i}` }]);
  }
  return store;
}

describe('FilterLogEvents scan budget', () => {
  it('yields to the event loop between slices', async () => {
    const api = logsApi(storeWith(5_000), { scanSliceMs: 0, scanBudgetMs: 60_000 });
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    const page = (await api.operations.FilterLogEvents!({ logGroupName: 'g', filterPattern: 'ERROR' })) as Page;
    done = true;
    expect(page.events).toHaveLength(500);
    expect(page.nextToken).toBeUndefined();
    // Other callbacks ran while the one call was scanning.
    expect(turns).toBeGreaterThan(5);
  });

  it('returns partial pages with a nextToken past its budget, and the pages add up to every match once', async () => {
    const api = logsApi(storeWith(5_000), { scanSliceMs: 0, scanBudgetMs: 0 });
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = (await api.operations.FilterLogEvents!({ logGroupName: 'g', filterPattern: 'ERROR', ...(nextToken ? { nextToken } : {}) })) as Page;
      seen.push(...page.events.map((e) => e.message));
      nextToken = page.nextToken;
      pages += 1;
      expect(pages).toBeLessThan(1_000);
    } while (nextToken);
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => `ERROR ${i * 10}`));
  });

  it('resumes a page where the previous one ended, also while events keep arriving', async () => {
    const store = storeWith(1_000);
    const api = logsApi(store);
    const first = (await api.operations.FilterLogEvents!({ logGroupName: 'g', limit: 3 })) as Page;
    expect(first.events.map((e) => e.message)).toEqual(['ERROR 0', 'INFO 1', 'INFO 2']);
    // An event older than the page's end arrives in between: it is behind the cursor.
    store.putLogEvents('g', 's9', [{ timestamp: 1_000, message: 'late' }]);
    const second = (await api.operations.FilterLogEvents!({ logGroupName: 'g', limit: 3, nextToken: first.nextToken })) as Page;
    expect(second.events.map((e) => e.message)).toEqual(['INFO 3', 'INFO 4', 'INFO 5']);
  });
});
