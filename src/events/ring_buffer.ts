// BPF ring buffer reader (BPF_MAP_TYPE_RINGBUF): one ring shared by all CPUs.
//
// Layout (kernel/bpf/ringbuf.c): page 0 holds the consumer position (we write it); page 1 the
// producer position (read-only); the data pages follow, mapped twice in a row so that no record
// ever wraps in our address space. Each record has an 8-byte header: u32 length with BUSY (bit 31,
// still being written) and DISCARD (bit 30) flags, and u32 page offset; records are 8-byte aligned.
//
// The kernel wakes a reader only when a record lands right at the consumer position (the reader
// had caught up). A reader that drains at once is caught up again after a few records and gets
// woken every few events; so after a wakeup the reader waits `wakeupDelayMs` before draining.
// Records pile up past the consumer position meanwhile, the kernel stops waking anyone, and one
// drain takes thousands of records: fewer wakeups cost the traced program less, too.
// The kernel does not count drops: a program whose bpf_ringbuf_output fails must count them
// itself, and `lostCounter` tells the reader where (a PERCPU_ARRAY or ARRAY, u64 at index 0).
import { native, explain, type Watcher } from '../sys/index.js';
import { PerCpuTable, type RingBufMap, type Table } from '../maps/index.js';
import { AsyncQueue } from './queue.js';

const BUSY = 0x80000000, DISCARD = 0x40000000, HDR = 8;
const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;

export interface RingBufferOptions {
  /** A map the program increments when bpf_ringbuf_output/reserve fails; read to report drops. */
  lostCounter?: Table<Buffer> | PerCpuTable;
  onLost?: (count: number) => void;
  /** Hand out copies instead of views into the ring (views are valid only during the callback). */
  copy?: boolean;
  /** Also drain on a timer, for programs that submit with BPF_RB_NO_WAKEUP (ms; default 0: off). */
  flushIntervalMs?: number;
  /** After a wakeup, wait this long before draining so records batch up (ms; default 1; 0: drain at once). */
  wakeupDelayMs?: number;
}

export type RingCallback = (data: Buffer) => void;

export class RingBuffer implements AsyncIterable<Buffer> {
  private consumerMap?: ArrayBuffer;
  private producerMap?: ArrayBuffer;
  private cons!: BigUint64Array;
  private prod!: BigUint64Array;
  private hdr!: Uint32Array;
  private data!: Buffer;
  private readonly mask: number;
  private readonly dataOff: number;
  private watcher?: Watcher;
  private timer?: NodeJS.Timeout;
  private queue?: AsyncQueue<Buffer>;
  private readonly copy: boolean;
  private _received = 0;
  private lostSeen = 0;

  constructor(readonly map: RingBufMap, private callback?: RingCallback, private opts: RingBufferOptions = {}) {
    const page = native.pageSize;
    const size = map.maxEntries;
    this.mask = size - 1;
    this.dataOff = page;
    this.copy = opts.copy ?? !callback;
    if (!callback) this.queue = new AsyncQueue(() => this.close());
    try {
      this.consumerMap = native.mmap(map.fd, page, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
      this.producerMap = native.mmap(map.fd, page + 2 * size, PROT_READ, MAP_SHARED, page);
      this.cons = new BigUint64Array(this.consumerMap, 0, 1);
      this.prod = new BigUint64Array(this.producerMap, 0, 1);
      this.hdr = new Uint32Array(this.producerMap);
      this.data = Buffer.from(this.producerMap);
      const delay = opts.wakeupDelayMs ?? 1;
      this.watcher = native.watch(map.fd, 1, delay > 0 ? () => this.drainLater(delay) : () => this.poll());
    } catch (e) {
      this.close();
      throw explain(e, `opening ring buffer ${map.name || '(unnamed)'}`);
    }
    if (opts.flushIntervalMs) {
      this.timer = setInterval(() => this.poll(), opts.flushIntervalMs);
      this.timer.unref();
    }
  }

  get received(): number { return this._received; }

  private drainLater(delay: number): void {
    const w = this.watcher!;
    w.pause(true);
    setTimeout(() => {
      if (this.watcher !== w) return; // closed meanwhile
      this.poll();
      w.pause(false); // level-triggered: fires again at once if more is waiting
    }, delay);
  }

  /** Records the program counted as dropped (needs `lostCounter`). */
  get lost(): number {
    const m = this.opts.lostCounter;
    if (!m) return 0;
    if (m instanceof PerCpuTable) return Number(m.sum(0));
    const v = m.get(0);
    return v ? Number(v.readBigUInt64LE(0)) : 0;
  }

  /** Consume every committed record now; returns how many were delivered. */
  poll(): number {
    if (!this.producerMap) return 0;
    let cons = Number(this.cons[0]);
    const prod = Number(Atomics.load(this.prod, 0));
    let n = 0;
    while (cons < prod) {
      const off = this.dataOff + (cons & this.mask);
      const len = Atomics.load(this.hdr, off >>> 2);
      if (len & BUSY) break;
      const size = len & ~(BUSY | DISCARD);
      if (!(len & DISCARD)) {
        const start = off + HDR;
        const rec = this.copy ? Buffer.from(this.data.subarray(start, start + size)) : this.data.subarray(start, start + size);
        n++;
        if (this.queue) this.queue.push(rec);
        else this.callback!(rec);
      }
      cons += (size + HDR + 7) & ~7;
      Atomics.store(this.cons, 0, BigInt(cons));
    }
    this._received += n;
    if (this.opts.onLost && this.opts.lostCounter) {
      const lost = this.lost;
      if (lost > this.lostSeen) {
        this.opts.onLost(lost - this.lostSeen);
        this.lostSeen = lost;
      }
    }
    return n;
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    if (!this.queue) throw new Error('this ring buffer delivers to a callback; open it without one to iterate');
    return this.queue.iterator();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.watcher?.stop();
    this.watcher = undefined;
    if (this.consumerMap) native.munmap(this.consumerMap);
    if (this.producerMap) native.munmap(this.producerMap);
    this.consumerMap = this.producerMap = undefined;
    this.queue?.end();
  }

  [Symbol.dispose](): void { this.close(); }
}
