export { Link } from './link.js';
export { attachTracepoint, attachRawTracepoint, type Attachable } from './tracepoint.js';
export { registerCleanup, runCleanups, pendingCleanups } from './cleanup.js';
export { attachUprobe, attachUretprobe, resolveUprobeTargets, numOpenUprobes,
  type UprobeOptions, type UprobeTarget, type ProbeMechanism } from './uprobe.js';
export { attachKprobe, attachKretprobe, attachKprobeMulti, haveKprobeMulti, getSyscallFnname, numOpenKprobes,
  matchKernelFunctions, kprobeBlacklist, KernelFunctionNotFoundError, type KprobeOptions } from './kprobe.js';
export { attachUsdt, listUsdtProbes, readUsdtProbes, decodeStapsdtNote, type UsdtProbe, type UsdtOptions } from './usdt.js';
export { parseUsdtArg, parseUsdtArgs, evalUsdtArg, PT_REGS_X86_64, type UsdtArgSpec, type UsdtRegister } from './usdt_args.js';
export { attachPerfEvent, type PerfEventOptions } from './perf_event.js';
export { probePmu, type ProbePmu } from './probe_pmu.js';
export { removeStaleProbeEvents, listProbeEvents, PROBE_GROUP } from './probe_events.js';
export { attachUprobeMulti, haveUprobeMulti, TRACE_UPROBE_MULTI } from './uprobe_multi.js';
