/* exitsnoop-shaped: tracepoint sched/sched_process_exit, the exiting task's fields through
 * BPF_CORE_READ chains (real_parent->tgid, signal->..., exit_code), process age from
 * start_time, thread exits filtered, a ring buffer record reserved, filled and submitted or
 * discarded. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16

struct event {
  u64 start_time;
  u64 exit_time;
  u32 pid;
  u32 tid;
  u32 ppid;
  u32 sig;
  int exit_code;
  char comm[TASK_COMM_LEN];
};

const volatile pid_t target_pid = 0;
const volatile bool trace_failed_only = false;
const volatile bool trace_by_process = true;

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit(void *ctx)
{
  u64 pid_tgid = bpf_get_current_pid_tgid();
  pid_t pid = pid_tgid >> 32, tid = (u32)pid_tgid;
  struct task_struct *task;
  struct event *e;
  int exit_code;

  if (target_pid && target_pid != pid)
    return 0;
  if (trace_by_process && pid != tid)
    return 0;
  task = (struct task_struct *)bpf_get_current_task();
  exit_code = BPF_CORE_READ(task, exit_code);
  if (trace_failed_only && exit_code == 0)
    return 0;

  e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e)
    return 0;
  e->start_time = BPF_CORE_READ(task, start_time);
  e->exit_time = bpf_ktime_get_ns();
  e->pid = pid;
  e->tid = tid;
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->sig = exit_code & 0xff;
  e->exit_code = exit_code >> 8;
  bpf_get_current_comm(&e->comm, sizeof(e->comm));
  if (e->exit_time - e->start_time < 1000) {
    bpf_ringbuf_discard(e, 0);
    return 0;
  }
  bpf_ringbuf_submit(e, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
