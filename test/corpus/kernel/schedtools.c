/* A larger tool-shaped program (runqlat + offcputime + cpudist in one): several maps, helpers,
 * task_struct chains, tp_btf arguments, histograms, stack ids, filters set from user space. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <asm-generic/errno.h>

#define PF_KTHREAD 0x00200000 /* as libbpf-tools' offcputime.h has it */

#define MAX_ENTRIES 10240
#define MAX_SLOTS 26
#define MAX_CPU_NR 128
#define TASK_RUNNING 0
#define PERF_MAX_STACK_DEPTH 127

struct hist {
  __u32 slots[MAX_SLOTS];
  char comm[16];
};

struct offcpu_key {
  __u32 pid;
  __u32 tgid;
  int user_stack_id;
  int kern_stack_id;
  char name[16];
};

struct offcpu_val {
  __u64 delta;
  __u64 count;
};

struct internal_key {
  __u64 start_ts;
  struct offcpu_key key;
};

const volatile bool filter_cg = false;
const volatile bool targ_per_process = false;
const volatile bool targ_per_thread = false;
const volatile bool targ_ms = false;
const volatile bool user_threads_only = false;
const volatile bool kernel_threads_only = false;
const volatile pid_t targ_tgid = 0;
const volatile pid_t targ_pid = 0;
const volatile __u64 min_block_ns = 1;
const volatile __u64 max_block_ns = -1;
const volatile long state = -1;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, u32);
  __type(value, u64);
} start SEC(".maps");

static struct hist zero;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, u32);
  __type(value, struct hist);
} hists SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, u32);
  __type(value, struct internal_key);
  __uint(max_entries, MAX_ENTRIES);
} offcpu_start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __uint(key_size, sizeof(u32));
  __uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));
  __uint(max_entries, MAX_ENTRIES);
} stackmap SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct offcpu_key);
  __type(value, struct offcpu_val);
  __uint(max_entries, MAX_ENTRIES);
} info SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, u64);
} dropped SEC(".maps");

__u64 cpu_hist[MAX_CPU_NR][MAX_SLOTS] = {};

static __always_inline u64 log2_u32(u32 v)
{
  u32 shift, r;
  r = (v > 0xFFFF) << 4; v >>= r;
  shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
  shift = (v > 0xF) << 2; v >>= shift; r |= shift;
  shift = (v > 0x3) << 1; v >>= shift; r |= shift;
  r |= (v >> 1);
  return r;
}

static __always_inline u64 log2l(u64 v)
{
  u32 hi = v >> 32;
  if (hi)
    return log2_u32(hi) + 32;
  else
    return log2_u32(v);
}

static __always_inline void *lookup_or_try_init(void *map, const void *key, const void *init)
{
  void *val;
  long err;

  val = bpf_map_lookup_elem(map, key);
  if (val)
    return val;
  err = bpf_map_update_elem(map, key, init, BPF_NOEXIST);
  if (err && err != -EEXIST)
    return 0;
  return bpf_map_lookup_elem(map, key);
}

static __always_inline int get_task_state(struct task_struct *t)
{
  return BPF_CORE_READ(t, __state);
}

static __always_inline bool allow_record(struct task_struct *t)
{
  u32 tgid = BPF_CORE_READ(t, tgid);
  u32 pid = BPF_CORE_READ(t, pid);

  if (targ_tgid && targ_tgid != tgid)
    return false;
  if (targ_pid && targ_pid != pid)
    return false;
  if (user_threads_only && (BPF_CORE_READ(t, flags) & PF_KTHREAD))
    return false;
  else if (kernel_threads_only && !(BPF_CORE_READ(t, flags) & PF_KTHREAD))
    return false;
  if (state != -1 && get_task_state(t) != state)
    return false;
  return true;
}

static __always_inline int trace_enqueue(u32 tgid, u32 pid)
{
  u64 ts;

  if (!pid)
    return 0;
  if (targ_tgid && targ_tgid != tgid)
    return 0;
  ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
  return 0;
}

static __always_inline unsigned int pid_namespace(struct task_struct *task)
{
  struct pid *pid;
  unsigned int level;
  struct upid upid;
  unsigned int inum;

  pid = BPF_CORE_READ(task, thread_pid);
  level = BPF_CORE_READ(pid, level);
  bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]);
  inum = BPF_CORE_READ(upid.ns, ns.inum);
  return inum;
}

static __always_inline void count_drop(void)
{
  u32 zero_key = 0;
  u64 *d = bpf_map_lookup_elem(&dropped, &zero_key);
  if (d)
    __sync_fetch_and_add(d, 1);
}

static int handle_switch(bool preempt, struct task_struct *prev, struct task_struct *next)
{
  struct hist *histp;
  struct internal_key *ik, i_key = {};
  struct offcpu_val *valp, val;
  u64 *tsp, slot, now = bpf_ktime_get_ns();
  u32 pid, hkey, tgid;
  s64 delta;

  if (get_task_state(prev) == TASK_RUNNING)
    trace_enqueue(BPF_CORE_READ(prev, tgid), BPF_CORE_READ(prev, pid));

  /* offcputime: remember when prev went off CPU, with its stacks */
  pid = BPF_CORE_READ(prev, pid);
  tgid = BPF_CORE_READ(prev, tgid);
  if (allow_record(prev)) {
    i_key.key.pid = pid;
    i_key.key.tgid = tgid;
    i_key.start_ts = now;
    if (BPF_CORE_READ(prev, flags) & PF_KTHREAD)
      i_key.key.user_stack_id = -1;
    else
      i_key.key.user_stack_id = bpf_get_stackid(preempt ? 0 : (void *)0, &stackmap, BPF_F_USER_STACK);
    i_key.key.kern_stack_id = -1;
    bpf_probe_read_kernel_str(&i_key.key.name, sizeof(i_key.key.name), BPF_CORE_READ(prev, comm));
    if (bpf_map_update_elem(&offcpu_start, &pid, &i_key, 0))
      count_drop();
  }

  pid = BPF_CORE_READ(next, pid);
  ik = bpf_map_lookup_elem(&offcpu_start, &pid);
  if (ik) {
    delta = (s64)(now - ik->start_ts);
    if (delta >= 0 && (u64)delta >= min_block_ns && (u64)delta <= max_block_ns) {
      delta /= 1000U;
      valp = bpf_map_lookup_elem(&info, &ik->key);
      if (!valp) {
        val.delta = delta;
        val.count = 1;
        bpf_map_update_elem(&info, &ik->key, &val, BPF_NOEXIST);
      } else {
        __sync_fetch_and_add(&valp->delta, delta);
        __sync_fetch_and_add(&valp->count, 1);
      }
    }
    bpf_map_delete_elem(&offcpu_start, &pid);
  }

  /* runqlat: time from enqueue to running */
  tsp = bpf_map_lookup_elem(&start, &pid);
  if (!tsp)
    return 0;
  delta = (s64)(now - *tsp);
  if (delta < 0)
    goto cleanup;

  if (targ_per_process)
    hkey = BPF_CORE_READ(next, tgid);
  else if (targ_per_thread)
    hkey = pid;
  else
    hkey = -1;
  histp = lookup_or_try_init(&hists, &hkey, &zero);
  if (!histp)
    goto cleanup;
  if (!histp->comm[0])
    bpf_probe_read_kernel_str(&histp->comm, sizeof(histp->comm), next->comm);
  if (targ_ms)
    delta /= 1000000U;
  else
    delta /= 1000U;
  slot = log2l(delta);
  if (slot >= MAX_SLOTS)
    slot = MAX_SLOTS - 1;
  __sync_fetch_and_add(&histp->slots[slot], 1);

  /* cpudist: per-CPU run time distribution */
  {
    u32 cpu = bpf_get_smp_processor_id();
    if (cpu < MAX_CPU_NR)
      __sync_fetch_and_add(&cpu_hist[cpu][slot], 1);
  }

cleanup:
  bpf_map_delete_elem(&start, &pid);
  return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
  if (filter_cg)
    return 0;
  return trace_enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
  return trace_enqueue(p->tgid, p->pid);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  return handle_switch(preempt, prev, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(handle_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
  unsigned int ns = pid_namespace(next);
  if (ns == 0)
    return 0;
  return handle_switch(preempt, prev, next);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
