// BTF-typed tracing: fentry, fexit and fmod_ret (BPF_PROG_TYPE_TRACING on BPF trampolines), LSM
// hooks (BPF_PROG_TYPE_LSM) and tp_btf (BPF_PROG_TYPE_TRACING on a raw tracepoint). The target is
// fixed when the program is loaded (its attach_btf_id; loadObject resolves it from the section
// name), so attaching only names the attach type. LINK_CREATE does that on current kernels; older
// ones take BPF_RAW_TRACEPOINT_OPEN with no name. Both give a link fd, which detaches when closed
// or when the process dies. A kernel may refuse trampolines outright (this project's host does:
// EPERM at load), which loadProgram reports as a NotSupportedError saying what to use instead.
import { readFileSync } from 'node:fs';
import { bpf, explain, isErrno, NotSupportedError, AttachType } from '../sys/index.js';
import { Btf } from '../btf/reader.js';
import { Kind } from '../btf/types.js';
import { loadProgram, type Program } from '../load/program.js';
import { mov64Imm, exit, R0 } from '../isa/asm.js';
import { readKernelConfig } from '../compiler/preprocess/kconfig.js';
import { Link } from './link.js';
import type { Attachable } from './tracepoint.js';

/** What a BTF-typed attachment needs to know of a program: its fd, name, and what it was loaded for. */
export interface TracingProgram extends Attachable {
  readonly expectedAttachType?: number;
}

const KIND_OF: Record<number, string> = {
  [AttachType.TRACE_FENTRY]: 'fentry', [AttachType.TRACE_FEXIT]: 'fexit', [AttachType.MODIFY_RETURN]: 'fmod_ret',
  [AttachType.LSM_MAC]: 'lsm', [AttachType.TRACE_RAW_TP]: 'tp_btf',
};

/**
 * Attach a program loaded as fentry/fexit/fmod_ret/tp_btf (BPF_PROG_TYPE_TRACING) or lsm
 * (BPF_PROG_TYPE_LSM) to the target it was loaded for. `attachType` defaults to the one the
 * program was loaded with (a `Program` from loadProgram/loadObject remembers it).
 */
export function attachTracing(prog: TracingProgram, attachType?: number): Link {
  const at = attachType ?? prog.expectedAttachType;
  if (at === undefined || !(at in KIND_OF)) {
    throw new Error(`program ${prog.name || '(unnamed)'} was not loaded as fentry, fexit, fmod_ret, lsm or tp_btf ` +
      '(load it from a SEC("fentry/<function>")-style section, or give expectedAttachType and attachBtfId)');
  }
  const kind = KIND_OF[at]!;
  const what = `attaching ${kind} program ${prog.name || '(unnamed)'}`;
  let fd: number;
  try {
    fd = bpf.linkCreate({ progFd: prog.fd, targetFd: 0, attachType: at });
  } catch (e) {
    // EINVAL: this kernel's LINK_CREATE does not take this attach type (older kernels; 6.1 and
    // 6.18 take all five). BPF_RAW_TRACEPOINT_OPEN with no name attaches any of them to the target
    // the program was loaded for.
    if (!isErrno(e, 'EINVAL', 'EOPNOTSUPP', 'ENOTSUPP')) throw attachError(e, what, kind);
    try {
      fd = bpf.rawTracepointOpen(null, prog.fd);
    } catch (e2) {
      throw attachError(e2, what, kind);
    }
  }
  return new Link(kind, prog.name || '(unnamed)', [fd]);
}

function attachError(e: unknown, what: string, kind: string): Error {
  if (isErrno(e, 'EEXIST', 'EBUSY')) {  // trampolines say EBUSY, tracepoint probes EEXIST
    const err = explain(e, what);
    err.message = `${what}: it is already attached — a ${kind} program has one attachment at a time (close that link, or load the program again)`;
    return err;
  }
  if (isErrno(e, 'ENOTSUPP', 'EOPNOTSUPP') || (isErrno(e, 'EPERM') && kind !== 'tp_btf' && process.geteuid?.() === 0)) {
    return new NotSupportedError(`${what}: this kernel cannot attach ${kind} programs (${(e as Error).message}); ` +
      'they need BPF trampolines — use a tracepoint, raw tracepoint or tp_btf program instead', e);
  }
  return explain(e, what);
}

/** Attach an fentry program (runs when its kernel function is entered; reads the arguments). */
export const attachFentry = (prog: TracingProgram): Link => attachTracing(prog, AttachType.TRACE_FENTRY);
/** Attach an fexit program (runs when its kernel function returns; reads arguments and return value). */
export const attachFexit = (prog: TracingProgram): Link => attachTracing(prog, AttachType.TRACE_FEXIT);
/** Attach an fmod_ret program (runs before the function; a non-zero return replaces the call's result). */
export const attachFmodRet = (prog: TracingProgram): Link => attachTracing(prog, AttachType.MODIFY_RETURN);
/** Attach an LSM program to its security hook (its return value is the hook's verdict: 0 or -errno). */
export const attachLsm = (prog: TracingProgram): Link => attachTracing(prog, AttachType.LSM_MAC);
/** Attach a tp_btf program: a raw tracepoint whose arguments are typed from BTF. */
export const attachTpBtf = (prog: TracingProgram): Link => attachTracing(prog, AttachType.TRACE_RAW_TP);

/**
 * Can this kernel load and attach trampoline programs (fentry/fexit/fmod_ret/lsm)? A real attempt:
 * an fentry program on a function every kernel with BTF has, loaded and attached, then closed.
 */
export function haveTrampolines(): boolean {
  if (trampolines !== undefined) return trampolines;
  const btf = Btf.vmlinux();
  const target = ['bpf_fentry_test1', 'vfs_read'].map((n) => btf.find(n, Kind.FUNC)).find((id) => id !== undefined);
  if (target === undefined) return (trampolines = false);
  let prog: Program | undefined;
  try {
    prog = loadProgram({ type: 'TRACING', expectedAttachType: 'TRACE_FENTRY', attachBtfId: target, name: 'probe_fentry',
      insns: [mov64Imm(R0, 0), exit()] });
    attachTracing(prog).close();
    trampolines = true;
  } catch (e) {
    if (!(e instanceof NotSupportedError) && !isErrno(e, 'EPERM', 'EINVAL', 'ENOTSUPP', 'EOPNOTSUPP')) throw e;
    trampolines = false;
  } finally {
    prog?.close();
  }
  return trampolines;
}
let trampolines: boolean | undefined;

/**
 * Does this kernel run BPF LSM programs? The bpf LSM must be active and trampolines work. The
 * active list is securityfs's `lsm` file; where securityfs is not mounted, the boot's `lsm=`
 * argument, else the kernel's built-in default (CONFIG_LSM), says the same.
 */
export function haveBpfLsm(): boolean {
  return activeLsms().includes('bpf') && haveTrampolines();
}

function activeLsms(): string[] {
  try {
    return readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',');
  } catch { /* securityfs not mounted */ }
  try {
    const arg = /(?:^|\s)lsm=(\S+)/.exec(readFileSync('/proc/cmdline', 'utf8'))?.[1];
    if (arg) return arg.split(',');
  } catch { /* no /proc */ }
  return (readKernelConfig().get('CONFIG_LSM') ?? '').replace(/"/g, '').split(',');
}
