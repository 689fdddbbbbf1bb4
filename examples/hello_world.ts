// Hello World, as BCC's examples/hello_world.py: print "Hello, World!" each time a process
// calls clone() (forks), through bpf_trace_printk and the kernel's trace_pipe.
//
//   sudo node dist/examples/hello_world.js [--kprobe | --tracepoint]
//
// BCC hooks the clone system call's kernel function with a kprobe (kprobe__sys_clone). Where the
// kernel has no kprobes, the syscalls:sys_enter_clone tracepoint sees the same calls; clone3
// (which newer C libraries use for threads and some forks) is hooked there too.
// Output lines are trace_pipe's: task-pid, CPU, flags, timestamp, then the message.
import { BPF } from '../src/index.js';
import { chooseHook, fail, untilInterrupted } from './lib/hooks.js';

const KPROBE = `
int kprobe__sys_clone(void *ctx) { bpf_trace_printk("Hello, World!\\n"); return 0; }
`;

const TRACEPOINT = `
TRACEPOINT_PROBE(syscalls, sys_enter_clone) { bpf_trace_printk("Hello, World!\\n"); return 0; }
TRACEPOINT_PROBE(syscalls, sys_enter_clone3) { bpf_trace_printk("Hello, World!\\n"); return 0; }
`;

let b: BPF;
try {
  b = new BPF({ text: chooseHook() === 'kprobe' ? KPROBE : TRACEPOINT });
} catch (e) {
  fail(e);
}
const { signal } = untilInterrupted(() => b.close());
await b.tracePrint({ signal });
