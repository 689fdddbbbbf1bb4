// The system layer: typed wrappers over the native addon.
export { native, type Watcher, type Bytes } from './native.js';
export * from './errors.js';
export * as bpf from './bpf.js';
export * from './uapi.js';
export * from './perf.js';
export * from './tracefs.js';
export * from './kallsyms.js';
export * from './cpus.js';
export * as features from './features.js';
export { raiseMemlockIfNeeded, kernelVersion } from './rlimit.js';
export * from './socket.js';
export { withNetns } from './netns.js';
