/* An LRU hash example: per-process statistics keyed by tgid in a BPF_MAP_TYPE_LRU_HASH (old
 * entries evicted instead of failing), filled from sched_process_exec/fork/exit tracepoints
 * via their trace_event_raw_* structs, the exec'd file name read through __data_loc. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define FNAME_LEN 64

struct pstats {
  u64 exec_ts;
  u64 forks;
  u32 ppid;
  u32 execs;
  char comm[TASK_COMM_LEN];
  char filename[FNAME_LEN];
};

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 1024);
  __type(key, u32);
  __type(value, struct pstats);
} pids SEC(".maps");

u64 exits_seen = 0;

static __always_inline struct pstats *get_stats(u32 tgid)
{
  struct pstats *s, zero = {};

  s = bpf_map_lookup_elem(&pids, &tgid);
  if (s)
    return s;
  bpf_map_update_elem(&pids, &tgid, &zero, BPF_NOEXIST);
  return bpf_map_lookup_elem(&pids, &tgid);
}

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  unsigned int fname_off = ctx->__data_loc_filename & 0xFFFF;
  struct pstats *s = get_stats(tgid);

  if (!s)
    return 0;
  s->exec_ts = bpf_ktime_get_ns();
  s->execs++;
  s->ppid = BPF_CORE_READ(task, real_parent, tgid);
  bpf_get_current_comm(&s->comm, sizeof(s->comm));
  bpf_probe_read_str(&s->filename, sizeof(s->filename), (void *)ctx + fname_off);
  return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int handle_fork(struct trace_event_raw_sched_process_fork *ctx)
{
  struct pstats *s = get_stats(ctx->parent_pid);

  if (s)
    __sync_fetch_and_add(&s->forks, 1);
  return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  u32 tgid = id >> 32;

  if (tgid != (u32)id)
    return 0;
  __sync_fetch_and_add(&exits_seen, 1);
  bpf_map_delete_elem(&pids, &tgid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
