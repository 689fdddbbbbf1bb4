// tsbcc/ptrace.h: reading function arguments and return values out of x86_64's struct pt_regs, as
// BCC's helpers.h and libbpf's bpf_tracing.h spell it. The register names are the kernel's
// (arch/x86/include/asm/ptrace.h): di si dx cx r8 r9 carry arguments 1..6 of a function; a system
// call's fourth argument travels in r10; ax is the return value.
import { guarded } from './util.js';

export const PTRACE_H = guarded('__TSBCC_PTRACE_H', String.raw`
#ifndef bpf_target_x86
#define bpf_target_x86
#endif
#ifndef bpf_target_defined
#define bpf_target_defined
#endif

#define __PT_PARM1_REG di
#define __PT_PARM2_REG si
#define __PT_PARM3_REG dx
#define __PT_PARM4_REG cx
#define __PT_PARM5_REG r8
#define __PT_PARM6_REG r9
#define __PT_PARM1_SYSCALL_REG di
#define __PT_PARM2_SYSCALL_REG si
#define __PT_PARM3_SYSCALL_REG dx
#define __PT_PARM4_SYSCALL_REG r10
#define __PT_PARM5_SYSCALL_REG r8
#define __PT_PARM6_SYSCALL_REG r9
#define __PT_RET_REG sp
#define __PT_FP_REG bp
#define __PT_RC_REG ax
#define __PT_SP_REG sp
#define __PT_IP_REG ip

/* On the context (or any struct pt_regs pointer). */
#define PT_REGS_PARM1(x) ((x)->di)
#define PT_REGS_PARM2(x) ((x)->si)
#define PT_REGS_PARM3(x) ((x)->dx)
#define PT_REGS_PARM4(x) ((x)->cx)
#define PT_REGS_PARM5(x) ((x)->r8)
#define PT_REGS_PARM6(x) ((x)->r9)
#define PT_REGS_RET(x) ((x)->sp)
#define PT_REGS_FP(x) ((x)->bp)
#define PT_REGS_RC(x) ((x)->ax)
#define PT_REGS_SP(x) ((x)->sp)
#define PT_REGS_IP(x) ((x)->ip)

/* Through a kernel pointer to a struct pt_regs (libbpf reads these with BPF_CORE_READ; tsbcc
 * compiles against this kernel's BTF, so a plain member access, read from kernel memory). */
#define PT_REGS_PARM1_CORE(x) (((struct pt_regs *)(x))->di)
#define PT_REGS_PARM2_CORE(x) (((struct pt_regs *)(x))->si)
#define PT_REGS_PARM3_CORE(x) (((struct pt_regs *)(x))->dx)
#define PT_REGS_PARM4_CORE(x) (((struct pt_regs *)(x))->cx)
#define PT_REGS_PARM5_CORE(x) (((struct pt_regs *)(x))->r8)
#define PT_REGS_PARM6_CORE(x) (((struct pt_regs *)(x))->r9)
#define PT_REGS_RET_CORE(x) (((struct pt_regs *)(x))->sp)
#define PT_REGS_FP_CORE(x) (((struct pt_regs *)(x))->bp)
#define PT_REGS_RC_CORE(x) (((struct pt_regs *)(x))->ax)
#define PT_REGS_SP_CORE(x) (((struct pt_regs *)(x))->sp)
#define PT_REGS_IP_CORE(x) (((struct pt_regs *)(x))->ip)

/* System calls: since 4.17 x86_64 syscalls go through a wrapper whose only argument is the user's
 * struct pt_regs; PT_REGS_SYSCALL_REGS(ctx) is that pointer in a kprobe on __x64_sys_*. */
#define PT_REGS_SYSCALL_REGS(ctx) ((struct pt_regs *)PT_REGS_PARM1(ctx))
#define PT_REGS_PARM1_SYSCALL(x) PT_REGS_PARM1(x)
#define PT_REGS_PARM2_SYSCALL(x) PT_REGS_PARM2(x)
#define PT_REGS_PARM3_SYSCALL(x) PT_REGS_PARM3(x)
#define PT_REGS_PARM4_SYSCALL(x) ((x)->r10)
#define PT_REGS_PARM5_SYSCALL(x) PT_REGS_PARM5(x)
#define PT_REGS_PARM6_SYSCALL(x) PT_REGS_PARM6(x)
#define PT_REGS_PARM1_CORE_SYSCALL(x) PT_REGS_PARM1_CORE(x)
#define PT_REGS_PARM2_CORE_SYSCALL(x) PT_REGS_PARM2_CORE(x)
#define PT_REGS_PARM3_CORE_SYSCALL(x) PT_REGS_PARM3_CORE(x)
#define PT_REGS_PARM4_CORE_SYSCALL(x) (((struct pt_regs *)(x))->r10)
#define PT_REGS_PARM5_CORE_SYSCALL(x) PT_REGS_PARM5_CORE(x)
#define PT_REGS_PARM6_CORE_SYSCALL(x) PT_REGS_PARM6_CORE(x)

/* The return address: at the stack pointer on entry, above the saved frame pointer on return. */
#define BPF_KPROBE_READ_RET_IP(ip, ctx) ({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)PT_REGS_RET(ctx)); })
#define BPF_KRETPROBE_READ_RET_IP(ip, ctx) ({ bpf_probe_read_kernel(&(ip), sizeof(ip), (void *)(PT_REGS_FP(ctx) + sizeof(ip))); })
`);
