export { Link } from './link.js';
export { PersistentLink } from './persistent.js';
export { attachTracepoint, attachRawTracepoint, type Attachable } from './tracepoint.js';
export { attachTracing, attachFentry, attachFexit, attachFmodRet, attachLsm, attachTpBtf, haveTrampolines, haveBpfLsm,
  type TracingProgram } from './fentry.js';
export { registerCleanup, runCleanups, pendingCleanups } from './cleanup.js';
export { attachTc, attachTcAction, tcxPrograms, haveTcActionBpf, TcFilterLink, BPF_TCX_INGRESS, BPF_TCX_EGRESS, type TcOptions, type TcActionOptions, type Direction } from './tc.js';
export { attachXdp, type XdpMode, type XdpOptions } from './xdp.js';
export { attachSocketFilter, attachToSocket, SocketFilter, SocketAttachment, type SocketFilterOptions, type Packet } from './socket.js';
export { attachCgroup, cgroup2Root, type CgroupHook } from './cgroup.js';
