/**
 * Many deadlines, one timer: items wait in a min-heap on their due time and
 * a single `setTimeout` is armed for the earliest. Thousands of events
 * waiting for a retry cost one timer, not one each.
 */
export class TimerQueue<T> {
  private readonly heap: { dueAt: number; seq: number; item: T }[] = [];
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
    return this.heap.length;
  }

  schedule(dueAt: number, item: T): void {
    if (this.closed) return;
    this.push({ dueAt, seq: this.seq++, item });
    this.arm();
  }

  /** Drop everything and never fire again. */
  close(): void {
    this.closed = true;
    this.heap.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next || next.dueAt >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next.dueAt;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.dueAt - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    while (!this.closed && this.heap.length > 0 && this.heap[0]!.dueAt <= now) this.onDue(this.pop().item);
    if (!this.closed) this.arm();
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.dueAt < y.dueAt || (x.dueAt === y.dueAt && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a]!;
    this.heap[a] = this.heap[b]!;
    this.heap[b] = t;
  }

  private push(entry: { dueAt: number; seq: number; item: T }): void {
    this.heap.push(entry);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): { dueAt: number; seq: number; item: T } {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}
