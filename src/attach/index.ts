export { Link } from './link.js';
export { attachTracepoint, attachRawTracepoint, type Attachable } from './tracepoint.js';
export { attachTracing, attachFentry, attachFexit, attachFmodRet, attachLsm, attachTpBtf, haveTrampolines, haveBpfLsm,
  type TracingProgram } from './fentry.js';
export { registerCleanup, runCleanups, pendingCleanups } from './cleanup.js';
