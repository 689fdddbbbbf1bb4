/* execsnoop-shaped: tracepoint args via struct trace_event_raw_sys_enter, a per-CPU array as
 * scratch space for a large event, parent pid through task->real_parent->tgid, argv copied with
 * bpf_probe_read_user_str in an unrolled loop, the event sent with bpf_perf_event_output. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define ARGSIZE 64
#define MAX_ARGS 8
#define FULL_MAX_ARGS_ARR (MAX_ARGS * ARGSIZE)
#define LAST_ARG (FULL_MAX_ARGS_ARR - ARGSIZE)

struct event {
  u32 pid;
  u32 ppid;
  u32 uid;
  int args_count;
  u32 args_size;
  char comm[TASK_COMM_LEN];
  char args[FULL_MAX_ARGS_ARR];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct event);
} heap SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

const volatile u32 targ_uid = (u32)-1;

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
  u32 zero = 0, uid = (u32)bpf_get_current_uid_gid();
  const char **argv = (const char **)ctx->args[1];
  const char *argp;
  struct task_struct *task;
  struct event *e;
  long ret;
  int i;

  if (targ_uid != (u32)-1 && targ_uid != uid)
    return 0;
  e = bpf_map_lookup_elem(&heap, &zero);
  if (!e)
    return 0;
  task = (struct task_struct *)bpf_get_current_task();
  e->pid = bpf_get_current_pid_tgid() >> 32;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->uid = uid;
  e->args_count = 0;
  e->args_size = 0;
  bpf_get_current_comm(&e->comm, sizeof(e->comm));

  ret = bpf_probe_read_user_str(e->args, ARGSIZE, (const char *)ctx->args[0]);
  if (ret > 0 && ret <= ARGSIZE)
    e->args_size = ret;

#pragma unroll
  for (i = 1; i < MAX_ARGS; i++) {
    if (bpf_probe_read_user(&argp, sizeof(argp), &argv[i]) || !argp)
      break;
    if (e->args_size > LAST_ARG)
      break;
    ret = bpf_probe_read_user_str(&e->args[e->args_size], ARGSIZE, argp);
    if (ret <= 0 || ret > ARGSIZE)
      break;
    e->args_count++;
    e->args_size += ret;
  }

  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, e,
                        offsetof(struct event, args) + (e->args_size & (FULL_MAX_ARGS_ARR - 1)));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
