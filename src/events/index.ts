export { PerfBuffer, type PerfBufferOptions, type PerfCallback } from './perf_buffer.js';
export { RingBuffer, type RingBufferOptions, type RingCallback } from './ring_buffer.js';
export { TracePipe, parseTraceLine, type TraceLine, type TraceCallback } from './trace_pipe.js';
