export { Link } from './link.js';
export { attachTracepoint, attachRawTracepoint, type Attachable } from './tracepoint.js';
