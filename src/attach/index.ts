export { Link } from './link.js';
export { attachTracepoint, attachRawTracepoint, type Attachable } from './tracepoint.js';
export { registerCleanup, runCleanups, pendingCleanups } from './cleanup.js';
