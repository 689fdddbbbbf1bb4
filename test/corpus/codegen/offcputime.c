/* offcputime-shaped: tp_btf sched_switch via BPF_PROG, stack ids from bpf_get_stackid on the
 * tp_btf context, an internal start record keyed by pid holding the key struct, the blocked
 * time summed per (pid, stacks, comm) key, kernel threads told apart by task->flags, a
 * min/max block-time window from .rodata. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define PF_KTHREAD 0x00200000
#define TASK_COMM_LEN 16
#define PERF_MAX_STACK_DEPTH 127
#define MAX_ENTRIES 10240

struct key_t {
  u32 pid;
  u32 tgid;
  int user_stack_id;
  int kern_stack_id;
  char name[TASK_COMM_LEN];
};

struct internal_key {
  u64 start_ts;
  struct key_t key;
};

struct val_t {
  u64 delta;
};

const volatile bool kernel_threads_only = false;
const volatile bool user_threads_only = false;
const volatile u64 max_block_ns = -1;
const volatile u64 min_block_ns = 1;
const volatile pid_t targ_tgid = -1;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, u32);
  __type(value, struct internal_key);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __uint(key_size, sizeof(u32));
  __uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));
  __uint(max_entries, MAX_ENTRIES);
} stackmap SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, struct key_t);
  __type(value, struct val_t);
} info SEC(".maps");

static __always_inline bool allow_record(struct task_struct *t)
{
  if (targ_tgid != -1 && targ_tgid != t->tgid)
    return false;
  if (user_threads_only && t->flags & PF_KTHREAD)
    return false;
  if (kernel_threads_only && !(t->flags & PF_KTHREAD))
    return false;
  return true;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  struct internal_key *i_keyp, i_key;
  struct val_t *valp, val;
  s64 delta;
  u32 pid;

  if (allow_record(prev)) {
    pid = prev->pid;
    if (!pid)
      pid = bpf_get_smp_processor_id();
    i_key.key.pid = pid;
    i_key.key.tgid = prev->tgid;
    i_key.start_ts = bpf_ktime_get_ns();
    if (prev->flags & PF_KTHREAD)
      i_key.key.user_stack_id = -1;
    else
      i_key.key.user_stack_id = bpf_get_stackid(ctx, &stackmap, BPF_F_USER_STACK);
    i_key.key.kern_stack_id = bpf_get_stackid(ctx, &stackmap, 0);
    bpf_probe_read_kernel_str(&i_key.key.name, sizeof(i_key.key.name), prev->comm);
    bpf_map_update_elem(&start, &pid, &i_key, 0);
  }

  pid = next->pid;
  i_keyp = bpf_map_lookup_elem(&start, &pid);
  if (!i_keyp)
    return 0;
  delta = (s64)(bpf_ktime_get_ns() - i_keyp->start_ts);
  if (delta < 0)
    goto cleanup;
  delta /= 1000U;
  if (delta < min_block_ns || delta > max_block_ns)
    goto cleanup;
  valp = bpf_map_lookup_elem(&info, &i_keyp->key);
  if (!valp) {
    val.delta = delta;
    bpf_map_update_elem(&info, &i_keyp->key, &val, BPF_NOEXIST);
  } else {
    __sync_fetch_and_add(&valp->delta, delta);
  }
cleanup:
  bpf_map_delete_elem(&start, &pid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
