// A minimal unbounded async queue: producers push, one consumer awaits.
export class AsyncQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiting?: (r: IteratorResult<T>) => void;
  private ended = false;

  constructor(private onReturn?: () => void) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  end(): void {
    this.ended = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  get length(): number { return this.items.length - this.head; }

  iterator(): AsyncIterator<T> {
    return {
      next: () => {
        if (this.head < this.items.length) {
          const value = this.items[this.head++]!;
          if (this.head > 1024 && this.head * 2 > this.items.length) {
            this.items = this.items.slice(this.head);
            this.head = 0;
          }
          return Promise.resolve({ value, done: false });
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => { this.waiting = resolve; });
      },
      return: () => {
        this.onReturn?.();
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
