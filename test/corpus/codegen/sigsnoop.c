/* sigsnoop-shaped: tracepoint signal/signal_generate through struct
 * trace_event_raw_signal_generate, counts keyed by a (comm, signal) struct, a comm filter
 * compared byte by byte in a bounded loop, failed deliveries sent by perf output. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define SIGKILL 9

struct sig_key {
  char comm[TASK_COMM_LEN];
  int sig;
};

struct event {
  u32 pid;
  u32 tpid;
  int sig;
  int ret;
  char comm[TASK_COMM_LEN];
};

const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile int target_signal = 0;
const volatile bool failed_only = false;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct sig_key);
  __type(value, u64);
} counts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

static __always_inline bool comm_allowed(const char *comm)
{
  int i;

  if (!targ_comm[0])
    return true;
  for (i = 0; i < TASK_COMM_LEN; i++) {
    if (comm[i] != targ_comm[i])
      return false;
    if (!comm[i])
      break;
  }
  return true;
}

SEC("tracepoint/signal/signal_generate")
int sig_trace(struct trace_event_raw_signal_generate *ctx)
{
  struct sig_key key = {};
  struct event event = {};
  u64 *count, one = 1;
  int sig = ctx->sig, ret = ctx->result;

  if (target_signal && sig != target_signal)
    return 0;
  bpf_get_current_comm(&key.comm, sizeof(key.comm));
  if (!comm_allowed(key.comm))
    return 0;
  key.sig = sig;
  count = bpf_map_lookup_elem(&counts, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);

  if (failed_only && ret == 0 && sig != SIGKILL)
    return 0;
  event.pid = bpf_get_current_pid_tgid() >> 32;
  event.tpid = ctx->pid;
  event.sig = sig;
  event.ret = ret;
  __builtin_memcpy(event.comm, key.comm, sizeof(event.comm));
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
