// An output table (BPF_PERF_OUTPUT, BPF_RINGBUF_OUTPUT) owned by a BPF object: the readers it opens
// are remembered, so that BPF.perfBufferPoll()/ringBufferPoll() can drain them and wait for
// records (as BCC's perf_buffer_poll does for the buffers open_perf_buffer opened), and close()
// closes them.
import { EventTable, type OpenPerfBufferOptions } from '../tables/typed.js';
import type { CValue } from '../tables/codec.js';
import type { PerfBuffer, RingBuffer, RingBufferOptions } from '../events/index.js';

/** What the owning BPF object is told. */
export interface ReaderRegistry {
  opened(r: PerfBuffer | RingBuffer, kind: 'perf' | 'ring'): void;
  /** A record was delivered (counted; wakes a pending poll). */
  delivered(kind: 'perf' | 'ring'): void;
}

export class BccEventTable<E = CValue> extends EventTable<E> {
  /** Set by the BPF object that made this table. */
  registry?: ReaderRegistry;

  override openPerfBuffer(cb: (event: E, cpu: number) => void, opts: OpenPerfBufferOptions = {}): PerfBuffer {
    const reg = this.registry;
    const pb = super.openPerfBuffer(reg ? (ev, cpu) => { reg.delivered('perf'); cb(ev, cpu); } : cb, opts);
    reg?.opened(pb, 'perf');
    return pb;
  }

  override openRingBuffer(cb: (event: E) => void, opts: RingBufferOptions = {}): RingBuffer {
    const reg = this.registry;
    const rb = super.openRingBuffer(reg ? (ev) => { reg.delivered('ring'); cb(ev); } : cb, opts);
    reg?.opened(rb, 'ring');
    return rb;
  }
}
