// Perf buffer reader: one mmap'd perf ring per CPU behind a PERF_EVENT_ARRAY map.
//
// Speed comes from waking up rarely: the kernel wakes us when a ring is `wakeupBytes` full (a
// watermark) instead of on every event, and a timer drains whatever is left so quiet streams
// still arrive promptly. Each wakeup drains every record in every ring. Lost samples are reported
// by the kernel's per-event counter (read_format PERF_FORMAT_LOST, read after every drain), or on
// kernels before 6.0 by PERF_RECORD_LOST records; they are counted, never dropped silently.
import { native, explain, isErrno, onlineCpus, perfEventOpen, perfEnable, perfDisable, PerfType, PerfCountSw,
  PERF_SAMPLE_RAW, PERF_FORMAT_LOST, PerfRecord, type Watcher, type PerfEventAttr } from '../sys/index.js';
import type { PerfEventArray } from '../maps/index.js';
import { AsyncQueue } from './queue.js';

export interface PerfBufferOptions {
  /** Data pages per CPU ring; a power of two (default 256, i.e. 1 MiB, fewer on machines with many CPUs). */
  pageCount?: number;
  /** Wake up after this many events (BCC's wakeup_events). Overrides wakeupBytes. */
  wakeupEvents?: number;
  /** Wake up when a ring holds this many bytes (default: a quarter of the ring). */
  wakeupBytes?: number;
  /** Drain at least this often, in ms, so events below the watermark are not held back (default 50; 0: never). */
  flushIntervalMs?: number;
  /** Called with each loss the kernel reports. */
  onLost?: (count: number, cpu: number) => void;
  /** Hand out copies instead of views into the ring (views are valid only during the callback). */
  copy?: boolean;
  /** CPUs to open rings on (default: online CPUs). */
  cpus?: number[];
}

export type PerfCallback = (data: Buffer, cpu: number) => void;

const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
const LOST_READ_MS = 250;
const HEAD = 1024 / 8, TAIL = 1032 / 8; // perf_event_mmap_page.data_head / data_tail, as u64 indexes

class CpuRing {
  readonly meta: BigUint64Array;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly buf: Buffer;
  readonly mask: number;
  watcher?: Watcher;
  /** The kernel's lost-sample count already accounted for, and when it was last read. */
  lostSeen = 0;
  lostReadAt = 0;

  constructor(readonly cpu: number, readonly fd: number, readonly mapping: ArrayBuffer, page: number, size: number) {
    this.meta = new BigUint64Array(mapping, 0, page / 8);
    this.bytes = new Uint8Array(mapping, page, size);
    this.view = new DataView(mapping, page, size);
    this.buf = Buffer.from(mapping, page, size);
    this.mask = size - 1;
  }
}

export class PerfBuffer implements AsyncIterable<{ cpu: number; data: Buffer }> {
  private rings: CpuRing[] = [];
  private timer?: NodeJS.Timeout;
  private queue?: AsyncQueue<{ cpu: number; data: Buffer }>;
  private _lost = 0;
  private _received = 0;
  private readonly copy: boolean;
  /** Whether losses come from read() (PERF_FORMAT_LOST) rather than LOST records. */
  private lostByRead = true;
  private readonly countBuf = Buffer.alloc(16);

  /**
   * Open rings on every CPU and store their fds in `map`. With a callback, records are delivered as
   * they arrive; without one, iterate the PerfBuffer with `for await`.
   */
  constructor(readonly map: PerfEventArray, private callback?: PerfCallback, private opts: PerfBufferOptions = {}) {
    const page = native.pageSize;
    const cpus = opts.cpus ?? onlineCpus();
    // 1 MiB per CPU holds a few ms of events at millions per second; keep the total under 64 MiB.
    const pages = opts.pageCount ?? Math.max(8, Math.min(256, 2 ** Math.floor(Math.log2(16384 / cpus.length))));
    if (pages <= 0 || (pages & (pages - 1)) !== 0) throw new RangeError(`pageCount must be a power of two, not ${pages}`);
    this.copy = opts.copy ?? !callback;
    const size = pages * page;
    const wakeup = opts.wakeupEvents !== undefined
      ? { wakeupEvents: opts.wakeupEvents, watermark: false }
      : { wakeupEvents: Math.max(1, Math.min(opts.wakeupBytes ?? size / 4, size - page)), watermark: true };
    if (!callback) this.queue = new AsyncQueue(() => this.close());
    try {
      for (const cpu of cpus) {
        if (cpu >= map.maxEntries) continue;
        const fd = this.openRing(cpu, { type: PerfType.SOFTWARE, config: PerfCountSw.BPF_OUTPUT, sampleType: PERF_SAMPLE_RAW,
          samplePeriod: 1, ...wakeup });
        let mapping: ArrayBuffer;
        try {
          mapping = native.mmap(fd, page + size, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
        } catch (e) {
          native.close(fd);
          throw e;
        }
        const ring = new CpuRing(cpu, fd, mapping, page, size);
        this.rings.push(ring);
        map.setFd(cpu, fd);
        perfEnable(fd);
        ring.watcher = native.watch(fd, 1, () => this.drainRing(ring));
      }
    } catch (e) {
      this.close();
      throw explain(e, `opening perf buffer on map ${map.name || '(unnamed)'}`);
    }
    const every = opts.flushIntervalMs ?? 50;
    if (every > 0) {
      this.timer = setInterval(() => this.poll(), every);
      this.timer.unref();
    }
  }

  private openRing(cpu: number, attr: PerfEventAttr): number {
    if (this.lostByRead) {
      try {
        return perfEventOpen({ ...attr, readFormat: PERF_FORMAT_LOST }, -1, cpu);
      } catch (e) {
        if (!isErrno(e, 'EINVAL')) throw e;
        this.lostByRead = false; // before 6.0: rely on LOST records
      }
    }
    return perfEventOpen(attr, -1, cpu);
  }

  /** Samples lost so far (asks the kernel now, so the answer is exact at this moment). */
  get lost(): number {
    if (this.lostByRead) for (const r of this.rings) this.readLost(r);
    return this._lost;
  }
  /** Samples delivered so far. */
  get received(): number { return this._received; }

  /** Drain every ring now; returns the number of records delivered. */
  poll(): number {
    let n = 0;
    for (const r of this.rings) n += this.drainRing(r);
    return n;
  }

  private drainRing(r: CpuRing): number {
    if (!this.rings.length) return 0;
    const head = Number(Atomics.load(r.meta, HEAD));
    let tail = Number(r.meta[TAIL]);
    let n = 0, lostRecord = false;
    const size = r.mask + 1;
    while (tail < head) {
      const off = tail & r.mask;
      const type = r.view.getUint32(off, true);
      const recSize = r.view.getUint16(off + 6, true);
      if (type === PerfRecord.SAMPLE) {
        const dataOff = (off + 8) & r.mask;
        const len = r.view.getUint32(dataOff, true);
        const start = (dataOff + 4) & r.mask;
        let data: Buffer;
        if (start + len <= size) {
          data = this.copy ? Buffer.from(r.buf.subarray(start, start + len)) : r.buf.subarray(start, start + len);
        } else {
          // The record wraps around the end of the ring: stitch it together.
          data = Buffer.allocUnsafe(len);
          const first = size - start;
          r.buf.copy(data, 0, start, size);
          r.buf.copy(data, first, 0, len - first);
        }
        this._received++;
        n++;
        if (this.queue) this.queue.push({ cpu: r.cpu, data });
        else this.callback!(data, r.cpu);
      } else if (type === PerfRecord.LOST && this.lostByRead) {
        lostRecord = true;
      } else if (type === PerfRecord.LOST) {
        // { header; u64 id; u64 lost }; the u64 may straddle the wrap point.
        const lo = r.view.getUint32((off + 16) & r.mask, true), hi = r.view.getUint32((off + 20) & r.mask, true);
        const lost = hi * 2 ** 32 + lo;
        this._lost += lost;
        this.opts.onLost?.(lost, r.cpu);
      }
      tail += recSize;
    }
    Atomics.store(r.meta, TAIL, BigInt(tail));
    // Reading the counter interrupts the ring's CPU (an IPI), so not on every drain: when the kernel
    // announced a loss, and otherwise every LOST_READ_MS. `lost` reads every ring when asked.
    if (this.lostByRead && (lostRecord || performance.now() - r.lostReadAt > LOST_READ_MS)) this.readLost(r);
    return n;
  }

  /** The kernel's count of samples it could not fit in this ring: read() gives { value, lost }. */
  private readLost(r: CpuRing): void {
    r.lostReadAt = performance.now();
    if (native.read(r.fd, this.countBuf) < 16) return;
    const total = Number(this.countBuf.readBigUInt64LE(8));
    if (total > r.lostSeen) {
      const lost = total - r.lostSeen;
      r.lostSeen = total;
      this._lost += lost;
      this.opts.onLost?.(lost, r.cpu);
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<{ cpu: number; data: Buffer }> {
    if (!this.queue) throw new Error('this perf buffer delivers to a callback; open it without one to iterate');
    return this.queue.iterator();
  }

  /** Stop reading, disable and close every ring. Records not yet read are discarded. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const r of this.rings) {
      r.watcher?.stop();
      if (this.lostByRead) this.readLost(r); // so `lost` stays exact after close
      try { this.map.deleteFd(r.cpu); } catch { /* the map may be closed already */ }
      try { perfDisable(r.fd); } catch { /* closing below is what matters */ }
      native.munmap(r.mapping);
      native.close(r.fd);
    }
    this.rings = [];
    this.queue?.end();
  }

  [Symbol.dispose](): void { this.close(); }
}
