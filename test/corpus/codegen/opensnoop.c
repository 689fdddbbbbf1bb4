/* opensnoop-shaped: enter/exit tracepoint pair joined through a hash keyed by thread id, the
 * file name read with bpf_probe_read_user_str at exit, an event struct sent by perf output. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define NAME_MAX 255

struct args_t {
  const char *fname;
  int flags;
};

struct event {
  u64 ts;
  u32 pid;
  u32 uid;
  int ret;
  int flags;
  char comm[TASK_COMM_LEN];
  char fname[NAME_MAX];
};

const volatile pid_t targ_pid = 0;
const volatile pid_t targ_tgid = 0;
const volatile bool targ_failed = false;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, u32);
  __type(value, struct args_t);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

static __always_inline bool trace_allowed(u32 tgid, u32 pid)
{
  if (targ_tgid && targ_tgid != tgid)
    return false;
  if (targ_pid && targ_pid != pid)
    return false;
  return true;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  u32 tgid = id >> 32, pid = id;
  struct args_t args = {};

  if (!trace_allowed(tgid, pid))
    return 0;
  args.fname = (const char *)ctx->args[1];
  args.flags = (int)ctx->args[2];
  bpf_map_update_elem(&start, &pid, &args, 0);
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
  struct event event = {};
  struct args_t *ap;
  u64 id = bpf_get_current_pid_tgid();
  u32 pid = id;
  int ret;

  ap = bpf_map_lookup_elem(&start, &pid);
  if (!ap)
    return 0;
  ret = ctx->ret;
  if (targ_failed && ret >= 0)
    goto cleanup;

  event.ts = bpf_ktime_get_ns();
  event.pid = id >> 32;
  event.uid = bpf_get_current_uid_gid();
  bpf_get_current_comm(&event.comm, sizeof(event.comm));
  bpf_probe_read_user_str(&event.fname, sizeof(event.fname), ap->fname);
  event.flags = ap->flags;
  event.ret = ret;
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &event, sizeof(event));
cleanup:
  bpf_map_delete_elem(&start, &pid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
