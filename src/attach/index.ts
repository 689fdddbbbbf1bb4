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
export { attachUprobe, attachUretprobe, resolveUprobeTargets, numOpenUprobes,
  type UprobeOptions, type UprobeTarget, type ProbeMechanism } from './uprobe.js';
export { attachKprobe, attachKretprobe, haveKprobes, attachKprobeMulti, haveKprobeMulti, getSyscallFnname, numOpenKprobes,
  matchKernelFunctions, kprobeBlacklist, kprobeUnavailable, KernelFunctionNotFoundError, type KprobeOptions } from './kprobe.js';
export { attachUsdt, usdtSpecsFor, usdtContextFor, type UsdtContext, listUsdtProbes, readUsdtProbes, decodeStapsdtNote, type UsdtProbe, type UsdtOptions } from './usdt.js';
export { parseUsdtArg, parseUsdtArgs, evalUsdtArg, PT_REGS_X86_64, type UsdtArgSpec, type UsdtRegister } from './usdt_args.js';
export { attachPerfEvent, type PerfEventOptions } from './perf_event.js';
export { probePmu, type ProbePmu } from './probe_pmu.js';
export { removeStaleProbeEvents, listProbeEvents, PROBE_GROUP } from './probe_events.js';
export { attachUprobeMulti, haveUprobeMulti, TRACE_UPROBE_MULTI } from './uprobe_multi.js';
