// tcpv4connect, as BCC's examples/tracing/tcpv4connect.py: one line per IPv4 TCP connect():
// the calling process, its comm, source and destination addresses and destination port.
//
//   sudo node dist/examples/tracing/tcpv4connect.js [--kprobe | --tracepoint]
//
// BCC stashes the socket at tcp_v4_connect's entry (kprobe) and, when it returns 0 (kretprobe),
// reads the addresses the kernel has filled in. Where the kernel has no kprobes, the
// sock:inet_sock_set_state tracepoint shows the same moment: inside tcp_v4_connect, in the
// caller's context, the socket enters SYN_SENT with its addresses chosen. (That is just before the
// local port is bound; a connect that fails right after it is still shown, unlike with the kretprobe.)
// Messages travel through trace_pipe with a tag, as in BCC; lines without it are skipped.
import { BPF } from '../../src/index.js';
import { chooseHook, fail, untilInterrupted } from '../lib/hooks.js';

const KPROBE = `
#include <uapi/linux/ptrace.h>
#include <net/sock.h>
#include <bcc/proto.h>

BPF_HASH(currsock, u32, struct sock *);

int kprobe__tcp_v4_connect(struct pt_regs *ctx, struct sock *sk)
{
    u32 pid = bpf_get_current_pid_tgid();

    // stash the sock ptr for lookup on return
    currsock.update(&pid, &sk);

    return 0;
};

int kretprobe__tcp_v4_connect(struct pt_regs *ctx)
{
    int ret = PT_REGS_RC(ctx);
    u32 pid = bpf_get_current_pid_tgid();

    struct sock **skpp;
    skpp = currsock.lookup(&pid);
    if (skpp == 0) {
        return 0;   // missed entry
    }

    if (ret != 0) {
        // failed to send SYNC packet, may not have populated
        // socket __sk_common.{skc_rcv_saddr, ...}
        currsock.delete(&pid);
        return 0;
    }

    // pull in details
    struct sock *skp = *skpp;
    u32 saddr = skp->__sk_common.skc_rcv_saddr;
    u32 daddr = skp->__sk_common.skc_daddr;
    u16 dport = skp->__sk_common.skc_dport;

    // output
    bpf_trace_printk("trace_tcp4connect %x %x %d\\n", saddr, daddr, ntohs(dport));

    currsock.delete(&pid);

    return 0;
}
`;

const TRACEPOINT = `
#define AF_INET 2
#define IPPROTO_TCP 6
#define TCP_SYN_SENT 2

TRACEPOINT_PROBE(sock, inet_sock_set_state)
{
    if (args->newstate != TCP_SYN_SENT || args->family != AF_INET || args->protocol != IPPROTO_TCP)
        return 0;

    // the addresses as the u32 the socket holds (network order), as the kprobe version reads them
    u32 saddr = args->saddr[0] | args->saddr[1] << 8 | args->saddr[2] << 16 | (u32)args->saddr[3] << 24;
    u32 daddr = args->daddr[0] | args->daddr[1] << 8 | args->daddr[2] << 16 | (u32)args->daddr[3] << 24;

    // dport is in host order here already
    bpf_trace_printk("trace_tcp4connect %x %x %d\\n", saddr, daddr, args->dport);
    return 0;
}
`;

/** An address as the socket holds it (network order, read as a little-endian u32) in dotted quads. */
function inetNtoa(addr: number): string {
  const dq: number[] = [];
  for (let i = 0; i < 4; i++) {
    dq.push(addr & 0xff);
    addr >>>= 8;
  }
  return dq.join('.');
}

let b: BPF;
try {
  b = new BPF({ text: chooseHook() === 'kprobe' ? KPROBE : TRACEPOINT });
} catch (e) {
  fail(e);
}

const { signal } = untilInterrupted(() => b.close());

// header
console.log(`${'PID'.padEnd(6)} ${'COMM'.padEnd(12)} ${'SADDR'.padEnd(16)} ${'DADDR'.padEnd(16)} ${'DPORT'.padEnd(4)}`);

// filter and format output
while (!signal.aborted) {
  const f = await b.traceFields({ timeoutMs: 200 });
  if (!f) continue;
  const parts = f.msg.trim().split(' ');
  // Ignore messages from other tracers
  if (parts.length !== 4 || parts[0] !== 'trace_tcp4connect') continue;
  const [, saddrHs, daddrHs, dportS] = parts;
  console.log(`${String(f.pid).padEnd(6)} ${f.task.slice(0, 12).padEnd(12)} ${inetNtoa(Number.parseInt(saddrHs!, 16)).padEnd(16)} ${inetNtoa(Number.parseInt(daddrHs!, 16)).padEnd(16)} ${dportS}`);
}
