/**
 * A binary min-heap over an ordering given by the caller: the log store's
 * k-way merge of streams and the timer queue's deadlines share it.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];

  /** `less(a, b)`: whether `a` comes out before `b`. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the least item. */
  pop(): T | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0) this.replaceTop(last!);
    return top;
  }

  /** Puts `item` (often the changed top itself) at the top and restores the order: cheaper than pop then push. */
  replaceTop(item: T): void {
    const items = this.items;
    items[0] = item;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.less(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && this.less(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  /** Drops every item. */
  clear(): void {
    this.items.length = 0;
  }

  private swap(a: number, b: number): void {
    const t = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = t;
  }
}
