// BPF_QUEUE and BPF_STACK as BCC's QueueStack table: values pushed and popped as JavaScript values
// decoded from the leaf's C type (the maps have no keys).
import type { QueueStack } from '../maps/index.js';
import type { Codec, CValue } from '../tables/codec.js';

export class TypedQueueStack<V = CValue> {
  constructor(readonly map: QueueStack, readonly valueCodec: Codec<V>) {}

  get name(): string { return this.map.name || '(unnamed)'; }

  /** Add a value; flags BPF_EXIST overwrites the oldest one when full (BCC's push). */
  push(value: V, flags = 0): void { this.map.push(this.valueCodec.encode(value), flags); }

  /** Remove and return the next value (front of a queue, top of a stack); undefined when empty. */
  pop(): V | undefined {
    const b = this.map.pop();
    return b && this.valueCodec.decode(b);
  }

  /** The next value without removing it. */
  peek(): V | undefined {
    const b = this.map.peek();
    return b && this.valueCodec.decode(b);
  }

  /** Pop every value (BCC's itervalues on these maps pops too). */
  *values(): IterableIterator<V> {
    for (let v = this.pop(); v !== undefined; v = this.pop()) yield v;
  }

  [Symbol.iterator](): IterableIterator<V> { return this.values(); }
}
