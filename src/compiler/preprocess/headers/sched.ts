// tsbcc/sched.h and tsbcc/signal.h: task states, task flags, clone flags, scheduling policies,
// signals, and `current` (linux/sched.h, uapi/linux/sched.h, asm/current.h, asm/signal.h).
// TASK_COMM_LEN is an enum constant in the kernel's BTF (since 5.17); see kernel_facts.
import { defs, guarded, type DefTable } from './util.js';

/** Task states (task_struct.__state) and exit states (task_struct.exit_state). */
const TASK_STATES: DefTable = [
  ['TASK_RUNNING', '0x00000000'],
  ['TASK_INTERRUPTIBLE', '0x00000001'],
  ['TASK_UNINTERRUPTIBLE', '0x00000002'],
  ['__TASK_STOPPED', '0x00000004'],
  ['__TASK_TRACED', '0x00000008'],
  ['EXIT_DEAD', '0x00000010'],
  ['EXIT_ZOMBIE', '0x00000020'],
  ['EXIT_TRACE', '(EXIT_ZOMBIE | EXIT_DEAD)'],
  ['TASK_PARKED', '0x00000040'],
  ['TASK_DEAD', '0x00000080'],
  ['TASK_WAKEKILL', '0x00000100'],
  ['TASK_WAKING', '0x00000200'],
  ['TASK_NOLOAD', '0x00000400'],
  ['TASK_NEW', '0x00000800'],
  ['TASK_RTLOCK_WAIT', '0x00001000'],
  ['TASK_FREEZABLE', '0x00002000'],
  ['TASK_FROZEN', '0x00008000'],
  ['TASK_STATE_MAX', '0x00010000'],
  ['TASK_ANY', '(TASK_STATE_MAX - 1)'],
  ['TASK_KILLABLE', '(TASK_WAKEKILL | TASK_UNINTERRUPTIBLE)'],
  ['TASK_STOPPED', '(TASK_WAKEKILL | __TASK_STOPPED)'],
  ['TASK_TRACED', '__TASK_TRACED'],
  ['TASK_IDLE', '(TASK_UNINTERRUPTIBLE | TASK_NOLOAD)'],
  ['TASK_NORMAL', '(TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)'],
  ['TASK_REPORT', '(TASK_RUNNING | TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE | __TASK_STOPPED | __TASK_TRACED | EXIT_DEAD | EXIT_ZOMBIE | TASK_PARKED)'],
  ['TASK_REPORT_IDLE', '(TASK_REPORT + 1)'],
  ['TASK_REPORT_MAX', '(TASK_REPORT_IDLE << 1)'],
];

/** task_struct.flags: the ones whose values have not moved across 5.x and 6.x kernels. */
const TASK_FLAGS: DefTable = [
  ['PF_IDLE', '0x00000002'],
  ['PF_EXITING', '0x00000004'],
  ['PF_WQ_WORKER', '0x00000020'],
  ['PF_FORKNOEXEC', '0x00000040'],
  ['PF_MCE_PROCESS', '0x00000080'],
  ['PF_SUPERPRIV', '0x00000100'],
  ['PF_DUMPCORE', '0x00000200'],
  ['PF_SIGNALED', '0x00000400'],
  ['PF_MEMALLOC', '0x00000800'],
  ['PF_NPROC_EXCEEDED', '0x00001000'],
  ['PF_USED_MATH', '0x00002000'],
  ['PF_NOFREEZE', '0x00008000'],
  ['PF_KSWAPD', '0x00020000'],
  ['PF_MEMALLOC_NOFS', '0x00040000'],
  ['PF_MEMALLOC_NOIO', '0x00080000'],
  ['PF_LOCAL_THROTTLE', '0x00100000'],
  ['PF_KTHREAD', '0x00200000'],
  ['PF_RANDOMIZE', '0x00400000'],
  ['PF_NO_SETAFFINITY', '0x04000000'],
  ['PF_MCE_EARLY', '0x08000000'],
  ['PF_SUSPEND_TASK', '0x80000000'],
];

/** uapi/linux/sched.h */
const CLONE: DefTable = [
  ['CSIGNAL', '0x000000ff'],
  ['CLONE_NEWTIME', '0x00000080'],
  ['CLONE_VM', '0x00000100'],
  ['CLONE_FS', '0x00000200'],
  ['CLONE_FILES', '0x00000400'],
  ['CLONE_SIGHAND', '0x00000800'],
  ['CLONE_PIDFD', '0x00001000'],
  ['CLONE_PTRACE', '0x00002000'],
  ['CLONE_VFORK', '0x00004000'],
  ['CLONE_PARENT', '0x00008000'],
  ['CLONE_THREAD', '0x00010000'],
  ['CLONE_NEWNS', '0x00020000'],
  ['CLONE_SYSVSEM', '0x00040000'],
  ['CLONE_SETTLS', '0x00080000'],
  ['CLONE_PARENT_SETTID', '0x00100000'],
  ['CLONE_CHILD_CLEARTID', '0x00200000'],
  ['CLONE_DETACHED', '0x00400000'],
  ['CLONE_UNTRACED', '0x00800000'],
  ['CLONE_CHILD_SETTID', '0x01000000'],
  ['CLONE_NEWCGROUP', '0x02000000'],
  ['CLONE_NEWUTS', '0x04000000'],
  ['CLONE_NEWIPC', '0x08000000'],
  ['CLONE_NEWUSER', '0x10000000'],
  ['CLONE_NEWPID', '0x20000000'],
  ['CLONE_NEWNET', '0x40000000'],
  ['CLONE_IO', '0x80000000'],
  ['CLONE_CLEAR_SIGHAND', '0x100000000ULL'],
  ['CLONE_INTO_CGROUP', '0x200000000ULL'],
  ['SCHED_NORMAL', 0],
  ['SCHED_FIFO', 1],
  ['SCHED_RR', 2],
  ['SCHED_BATCH', 3],
  ['SCHED_IDLE', 5],
  ['SCHED_DEADLINE', 6],
  ['SCHED_RESET_ON_FORK', '0x40000000'],
];

/** x86's uapi/asm/signal.h and asm-generic/signal-defs.h */
const SIGNALS: DefTable = [
  ['_NSIG', 64], ['_NSIG_BPW', 64], ['_NSIG_WORDS', '(_NSIG / _NSIG_BPW)'],
  ['SIGHUP', 1], ['SIGINT', 2], ['SIGQUIT', 3], ['SIGILL', 4], ['SIGTRAP', 5], ['SIGABRT', 6],
  ['SIGIOT', 6], ['SIGBUS', 7], ['SIGFPE', 8], ['SIGKILL', 9], ['SIGUSR1', 10], ['SIGSEGV', 11],
  ['SIGUSR2', 12], ['SIGPIPE', 13], ['SIGALRM', 14], ['SIGTERM', 15], ['SIGSTKFLT', 16],
  ['SIGCHLD', 17], ['SIGCONT', 18], ['SIGSTOP', 19], ['SIGTSTP', 20], ['SIGTTIN', 21],
  ['SIGTTOU', 22], ['SIGURG', 23], ['SIGXCPU', 24], ['SIGXFSZ', 25], ['SIGVTALRM', 26],
  ['SIGPROF', 27], ['SIGWINCH', 28], ['SIGIO', 29], ['SIGPOLL', 'SIGIO'], ['SIGPWR', 30],
  ['SIGSYS', 31], ['SIGUNUSED', 31], ['SIGRTMIN', 32], ['SIGRTMAX', '_NSIG'],
  ['SA_NOCLDSTOP', '0x00000001'], ['SA_NOCLDWAIT', '0x00000002'], ['SA_SIGINFO', '0x00000004'],
  ['SA_ONSTACK', '0x08000000'], ['SA_RESTART', '0x10000000'], ['SA_NODEFER', '0x40000000'],
  ['SA_RESETHAND', '0x80000000'],
  ['SIG_BLOCK', 0], ['SIG_UNBLOCK', 1], ['SIG_SETMASK', 2],
  ['SIG_DFL', '((void (*)(int))0)'], ['SIG_IGN', '((void (*)(int))1)'], ['SIG_ERR', '((void (*)(int))-1)'],
];

export const SIGNAL_H = guarded('__TSBCC_SIGNAL_H', '\n' + defs(SIGNALS) + String.raw`
#define sigmask(sig) (1UL << ((sig) - 1))
`);

/** tsbcc/current.h (asm/current.h): the running task. The kernel reads a per-CPU variable; a BPF
 *  program asks the helper. */
export const CURRENT_H = guarded('__TSBCC_CURRENT_H', String.raw`
#define get_current() ((struct task_struct *)bpf_get_current_task())
#define current get_current()
`);

export const SCHED_H = guarded('__TSBCC_SCHED_H', '#include <tsbcc/signal.h>\n' + defs(TASK_STATES) + defs(TASK_FLAGS) + defs(CLONE) + String.raw`
#define MAX_NICE 19
#define MIN_NICE -20
#define NICE_WIDTH (MAX_NICE - MIN_NICE + 1)
#define MAX_RT_PRIO 100
#define MAX_DL_PRIO 0
#define MAX_PRIO (MAX_RT_PRIO + NICE_WIDTH)
#define DEFAULT_PRIO (MAX_RT_PRIO + NICE_WIDTH / 2)
#define NICE_TO_PRIO(nice) ((nice) + DEFAULT_PRIO)
#define PRIO_TO_NICE(prio) ((prio) - DEFAULT_PRIO)

#define task_is_running(task) (READ_ONCE((task)->__state) == TASK_RUNNING)
#define task_pid_nr(tsk) ((tsk)->pid)
#define task_tgid_nr(tsk) ((tsk)->tgid)
#define thread_group_leader(p) ((p)->exit_signal >= 0)
#define is_idle_task(p) ((p)->pid == 0)
`);
