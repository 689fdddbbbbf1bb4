// trace_fields, as BCC's examples/tracing/trace_fields.py: "Hello, World!" on every clone(),
// printed as two of trace_pipe's fields: the pid of the caller and the message.
//
//   sudo node dist/examples/tracing/trace_fields.js [--kprobe | --tracepoint]
//
// The same C function serves both hooks: BCC attaches it as a kprobe on the clone system call's
// kernel function (getSyscallFnname('clone') gives its name on this architecture); where the
// kernel has no kprobes it is attached to the syscalls:sys_enter_clone tracepoint instead (and
// sys_enter_clone3, which newer C libraries also use to make processes).
import { BPF } from '../../src/index.js';
import { chooseHook, fail, untilInterrupted } from '../lib/hooks.js';

const prog = `
int hello(void *ctx) {
    bpf_trace_printk("Hello, World!\\n");
    return 0;
}
`;

let b: BPF;
try {
  b = new BPF({ text: prog });
  if (chooseHook() === 'kprobe') {
    b.attachKprobe({ event: b.getSyscallFnname('clone'), fnName: 'hello' });
  } else {
    b.attachTracepoint({ tp: 'syscalls:sys_enter_clone', fnName: 'hello' });
    b.attachTracepoint({ tp: 'syscalls:sys_enter_clone3', fnName: 'hello' });
  }
} catch (e) {
  fail(e);
}

const { signal } = untilInterrupted(() => b.close());
console.log('PID MESSAGE');
await b.tracePrint({ fmt: '{1} {5}', signal });
