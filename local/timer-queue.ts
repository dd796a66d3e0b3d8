import { MinHeap } from './min-heap.js';

/**
 * Many deadlines, one timer: items wait in a min-heap on their due time and
 * a single `setTimeout` is armed for the earliest. Thousands of events
 * waiting for a retry cost one timer, not one each.
 */
export class TimerQueue<T> {
  private readonly heap = new MinHeap<{ dueAt: number; seq: number; item: T }>(
    (x, y) => x.dueAt < y.dueAt || (x.dueAt === y.dueAt && x.seq < y.seq),
  );
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private seq = 0;
  private closed = false;

  /** `onDue` runs for each item once its local epoch ms `dueAt` has passed, earliest first. */
  constructor(
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  schedule(dueAt: number, item: T): void {
    if (this.closed) return;
    this.heap.push({ dueAt, seq: this.seq++, item });
    this.arm();
  }

  /** Drop everything and never fire again. */
  close(): void {
    this.closed = true;
    this.heap.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const next = this.heap.peek();
    if (!next || next.dueAt >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next.dueAt;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.dueAt - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    for (let next = this.heap.peek(); !this.closed && next && next.dueAt <= now; next = this.heap.peek()) {
      this.heap.pop();
      this.onDue(next.item);
    }
    if (!this.closed) this.arm();
  }
}
