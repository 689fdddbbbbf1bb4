export { BpfMap, Table, createMap, openPinnedMap, wrapMap, isPerCpu, BPF_F_NO_PREALLOC, type MapSpec, type Key } from './map.js';
export { HashTable, ArrayTable, PerCpuTable, PerCpuArrayTable, LpmTrie, QueueStack, StackTraceTable, ProgArray,
  PerfEventArray, RingBufMap, MapOfMaps, type HasFd } from './tables.js';
