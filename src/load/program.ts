// Programs: load instructions into the kernel, with the verifier's log when it says no.
import { encode, type Insn } from '../isa/insn.js';
import { disassemble } from '../isa/disasm.js';
import { native, bpf, isErrno, explain, raiseMemlockIfNeeded, ProgType, AttachType, NotSupportedError,
  type ProgTypeName, type AttachTypeName } from '../sys/index.js';
import { openSync, closeSync } from 'node:fs';

/** prog_flags bit: the program may sleep (fentry.s, fexit.s, fmod_ret.s, lsm.s, uprobe.s). */
export const BPF_F_SLEEPABLE = 1 << 4;

export interface ProgramSpec {
  type: ProgTypeName | number;
  insns: readonly Insn[] | Buffer;
  license?: string;
  name?: string;
  expectedAttachType?: AttachTypeName | number;
  attachBtfId?: number;
  attachProgFd?: number;
  btfFd?: number;
  funcInfo?: Buffer;
  lineInfo?: Buffer;
  flags?: number;
  kernVersion?: number;
  /** 0: ask for a log only when the load fails (the default); 1, 2: always ask, at that level. */
  logLevel?: number;
}

/** The C source line the verifier was at when it gave up: the last "; text @ file:line" line_info printed. */
export function verifierSource(log: string): { file: string; line: number; text: string } | undefined {
  let found: { file: string; line: number; text: string } | undefined;
  for (const l of log.split('\n')) {
    const m = /^; (.*) @ (.+):(\d+)$/.exec(l);
    if (m) found = { text: m[1]!, file: m[2]!, line: Number(m[3]) };
  }
  return found;
}

/** The kernel's verifier refused the program; `log` is its whole log, `reason` the line that matters. */
export class VerifierError extends Error {
  override readonly name = 'VerifierError';
  /** With BTF line_info: the C line the verifier was checking when it stopped. */
  readonly source?: { file: string; line: number; text: string };
  constructor(readonly programName: string, readonly code: string, readonly log: string, readonly reason: string,
    readonly insns?: readonly Insn[]) {
    const src = verifierSource(log);
    super(`the kernel rejected program ${programName || '(unnamed)'} (${code}): ${reason}` +
      (src ? `\n  at ${src.file}:${src.line}: ${src.text}` : ''));
    this.source = src;
  }

  /** The failing instruction index, when the log names one. */
  get insnIndex(): number | undefined {
    const lines = this.log.trimEnd().split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /^(\d+): \(/.exec(lines[i]!);
      if (m) return Number(m[1]);
    }
    return undefined;
  }
}

/** The lines of a verifier log that say why: the last non-statistics lines. */
export function verifierReason(log: string): string {
  const lines = log.split('\n').map((l) => l.trimEnd()).filter((l) => l &&
    !/^(processed \d+ insns|verification time|stack depth|max_states_per_insn|mark_precise|-- BEGIN PROG LOAD LOG --|-- END PROG LOAD LOG --)/.test(l));
  return lines.slice(-2).join(' | ') || 'no verifier log';
}

const typeNumber = (t: ProgTypeName | number): number => (typeof t === 'number' ? t : ProgType[t]);
const attachNumber = (t: AttachTypeName | number | undefined): number =>
  t === undefined ? 0 : typeof t === 'number' ? t : AttachType[t];

const MAX_LOG = 1 << 30 >>> 2; // 256 MiB, the kernel's own cap is UINT_MAX >> 2

/** A loaded program: its fd and what the kernel says of it. */
export class Program {
  private _fd: number;
  /**
   * `expectedAttachType` is what the program was loaded for (BPF_TRACE_FENTRY, BPF_LSM_MAC, ...):
   * the kernel does not report it back, and attaching a BTF-typed program must name it again.
   */
  constructor(fd: number, readonly type: number, readonly name: string, readonly insns?: readonly Insn[],
    readonly expectedAttachType?: number) {
    this._fd = fd;
  }

  get fd(): number {
    if (this._fd < 0) throw new Error(`program ${this.name} is closed`);
    return this._fd;
  }

  get closed(): boolean { return this._fd < 0; }

  /** Kernel-side facts: id, tag, translated length, run count and time (with stats enabled). */
  info(opts: { xlated?: boolean } = {}): bpf.ProgInfo {
    return bpf.progInfo(this.fd, opts);
  }

  /** BPF_PROG_TEST_RUN, for program types that support it. */
  testRun(opts: Omit<bpf.TestRunAttr, 'progFd'> = {}): bpf.TestRunResult {
    return bpf.progTestRun({ ...opts, progFd: this.fd });
  }

  pin(path: string): void {
    bpf.objPin(this.fd, path);
  }

  close(): void {
    if (this._fd >= 0) native.close(this._fd);
    this._fd = -1;
  }

  [Symbol.dispose](): void { this.close(); }
}

/** Load a program. A verifier rejection raises VerifierError with the log (retried at larger sizes on ENOSPC). */
export function loadProgram(spec: ProgramSpec): Program {
  raiseMemlockIfNeeded();
  const insns = Buffer.isBuffer(spec.insns) ? spec.insns : encode(spec.insns);
  const type = typeNumber(spec.type);
  const name = spec.name ?? '';
  const attr = {
    type, insns, license: spec.license ?? 'GPL', name, kernVersion: spec.kernVersion,
    expectedAttachType: attachNumber(spec.expectedAttachType), attachBtfId: spec.attachBtfId,
    attachProgFd: spec.attachProgFd, btfFd: spec.btfFd, funcInfo: spec.funcInfo, lineInfo: spec.lineInfo,
    flags: spec.flags,
  };
  const decoded = Buffer.isBuffer(spec.insns) ? undefined : spec.insns;
  let level = spec.logLevel ?? 0;
  let size = 64 * 1024;
  for (;;) {
    const logBuf = level ? Buffer.alloc(size) : undefined;
    try {
      return new Program(bpf.progLoad({ ...attr, logBuf, logLevel: level }), type, name, decoded, attr.expectedAttachType);
    } catch (e) {
      if (!isErrno(e)) throw e;
      if (!logBuf) {
        // Loading without a log is the fast path; on failure, load again to hear why.
        if (e.code === 'EACCES' || e.code === 'EINVAL' || e.code === 'ENOSPC' || e.code === 'E2BIG') {
          level = 1;
          continue;
        }
        if (e.code === 'EPERM' && usesTrampoline(type, attr.expectedAttachType) && process.geteuid?.() === 0) {
          throw new NotSupportedError(trampolineRefusal(name, attr.expectedAttachType), e);
        }
        throw explain(e, `loading program ${name || '(unnamed)'}`);
      }
      if (e.code === 'ENOSPC' && size < MAX_LOG) {
        size *= 4;
        continue;
      }
      const log = logBuf.toString('utf8', 0, Math.max(0, logBuf.indexOf(0)));
      if (!log) throw explain(e, `loading program ${name || '(unnamed)'}`);
      throw new VerifierError(name, e.code, log, verifierReason(log), decoded);
    }
  }
}

/** fentry, fexit, fmod_ret and LSM programs run on BPF trampolines: kernel code generated per target. */
export function usesTrampoline(type: number, attach: number): boolean {
  return (type === ProgType.TRACING && (attach === AttachType.TRACE_FENTRY || attach === AttachType.TRACE_FEXIT ||
    attach === AttachType.MODIFY_RETURN)) || (type === ProgType.LSM && (attach === AttachType.LSM_MAC || attach === AttachType.LSM_CGROUP));
}

const TRAMPOLINE_KIND: Record<number, string> = {
  [AttachType.TRACE_FENTRY]: 'fentry', [AttachType.TRACE_FEXIT]: 'fexit', [AttachType.MODIFY_RETURN]: 'fmod_ret',
  [AttachType.LSM_MAC]: 'lsm', [AttachType.LSM_CGROUP]: 'lsm_cgroup',
};

/**
 * Why root got EPERM loading a trampoline program. The refusal comes before the verifier runs
 * (there is no log), so it is the kernel's policy, not the program: e.g. a locked-down or
 * sandboxed kernel that refuses ftrace function hooks too — which this checks and says.
 */
function trampolineRefusal(name: string, attach: number): string {
  let ftrace = '';
  try {
    closeSync(openSync('/sys/kernel/tracing/available_filter_functions', 'r'));
  } catch (e) {
    if (isErrno(e, 'EPERM', 'EACCES')) ftrace = '; it refuses ftrace function hooks as well (reading available_filter_functions: EPERM)';
  }
  return `loading program ${name || '(unnamed)'}: this kernel refuses ${TRAMPOLINE_KIND[attach] ?? 'trampoline'} programs ` +
    `(BPF_PROG_LOAD fails with EPERM even as root, before verification)${ftrace}; ` +
    'fentry/fexit/fmod_ret/lsm need BPF trampolines — use a tracepoint, raw tracepoint or tp_btf program instead';
}

/** A verifier error printed with the failing instruction disassembled, for people. */
export function formatVerifierError(err: VerifierError): string {
  const out = [err.message];
  const at = err.insnIndex;
  if (err.insns && at !== undefined) {
    // One line per instruction (a 64-bit load spans two slots), each led by its slot index.
    const lines = disassemble(err.insns);
    const i = lines.findIndex((l) => Number(/^\s*(\d+):/.exec(l)?.[1]) === at);
    if (i >= 0) out.push('at:', ...lines.slice(Math.max(0, i - 2), i + 1).map((l) => '  ' + l));
  }
  return out.join('\n');
}
