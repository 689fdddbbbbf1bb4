/* Shaped like libbpf-tools' execsnoop: perf output struct, kernel pointer chains, tracepoint args. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#define TASK_COMM_SIZE 16
#define ARGSIZE 128
#define MAX_ARGS 20

struct event {
  pid_t pid;
  pid_t ppid;
  uid_t uid;
  int retval;
  int args_count;
  unsigned int args_size;
  char comm[TASK_COMM_SIZE];
  char args[MAX_ARGS * ARGSIZE];
};
_Static_assert(sizeof(struct event) == 40 + MAX_ARGS * ARGSIZE, "event layout");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, pid_t);
  __type(value, struct event);
} execs SEC(".maps");

const volatile bool ignore_failed = true;
const volatile uid_t targ_uid = -1;
static const struct event empty_event = {};

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  pid_t pid = (pid_t)id, tgid = id >> 32;
  u32 uid = (u32)bpf_get_current_uid_gid();
  struct task_struct *task;
  struct event *event;
  const char **args = (const char **)(ctx->args[1]);
  const char *argp;
  unsigned int ret, i;

  if (targ_uid != (uid_t)-1 && targ_uid != uid)
    return 0;
  if (bpf_map_update_elem(&execs, &pid, &empty_event, BPF_NOEXIST))
    return 0;
  event = bpf_map_lookup_elem(&execs, &pid);
  if (!event)
    return 0;
  event->pid = tgid;
  event->uid = uid;
  task = (struct task_struct *)bpf_get_current_task();
  event->ppid = (pid_t)BPF_CORE_READ(task, real_parent, tgid);
  event->args_count = 0;
  event->args_size = 0;
  ret = bpf_probe_read_user_str(event->args, ARGSIZE, (const char *)ctx->args[0]);
  if (ret <= ARGSIZE)
    event->args_size += ret;
  #pragma unroll
  for (i = 1; i < MAX_ARGS; i++) {
    bpf_probe_read_user(&argp, sizeof(argp), &args[i]);
    if (!argp)
      return 0;
    if (event->args_size > (MAX_ARGS - 1) * ARGSIZE)
      return 0;
    ret = bpf_probe_read_user_str(&event->args[event->args_size], ARGSIZE, argp);
    if (ret > ARGSIZE)
      return 0;
    event->args_count++;
    event->args_size += ret;
  }
  return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  pid_t pid = (pid_t)id;
  struct event *event = bpf_map_lookup_elem(&execs, &pid);
  int ret;
  if (!event)
    return 0;
  ret = ctx->ret;
  if (ignore_failed && ret < 0)
    goto cleanup;
  event->retval = ret;
  bpf_get_current_comm(&event->comm, sizeof(event->comm));
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, event, offsetof(struct event, args) + (event->args_size & (MAX_ARGS * ARGSIZE - 1)));
cleanup:
  bpf_map_delete_elem(&execs, &pid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";

/* CO-RE queries and byte-swapped constants fold at compile time against the running kernel's BTF. */
_Static_assert(bpf_htons(0x0800) == 8, "bpf_htons of a constant is a constant");
static __always_inline int core_checks(struct task_struct *t, int proto)
{
  switch (proto) {
  case bpf_htons(0x0800): return 4;
  case bpf_htons(0x86DD): return 6;
  }
  if (bpf_core_field_exists(t->pid) && bpf_core_type_exists(struct task_struct))
    return bpf_core_field_size(t->comm) + bpf_core_type_size(struct pt_regs);
  return 0;
}
