/* runqlat-shaped: tp_btf sched_wakeup/sched_wakeup_new/sched_switch, enqueue timestamps keyed
 * by pid, a per-pid log2 histogram created on first use (lookup-or-init), task fields through
 * BPF_CORE_READ, the comm copied into the histogram once. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MAX_SLOTS 26
#define TASK_RUNNING 0
#define TASK_COMM_LEN 16
#define EEXIST 17

struct hist {
  u32 slots[MAX_SLOTS];
  char comm[TASK_COMM_LEN];
};

const volatile bool targ_per_process = false;
const volatile pid_t targ_tgid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, u32);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, u32);
  __type(value, struct hist);
} hists SEC(".maps");

static struct hist zero;

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

static __always_inline int trace_enqueue(u32 tgid, u32 pid)
{
  u64 ts;

  if (!pid || (targ_tgid && targ_tgid != tgid))
    return 0;
  ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &pid, &ts, BPF_ANY);
  return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
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
  struct hist *histp;
  u64 *tsp, slot;
  u32 pid, hkey;
  s64 delta;

  if (BPF_CORE_READ(prev, __state) == TASK_RUNNING)
    trace_enqueue(BPF_CORE_READ(prev, tgid), BPF_CORE_READ(prev, pid));

  pid = BPF_CORE_READ(next, pid);
  tsp = bpf_map_lookup_elem(&start, &pid);
  if (!tsp)
    return 0;
  delta = (s64)(bpf_ktime_get_ns() - *tsp);
  if (delta < 0)
    goto cleanup;

  hkey = targ_per_process ? BPF_CORE_READ(next, tgid) : (u32)-1;
  histp = lookup_or_try_init(&hists, &hkey, &zero);
  if (!histp)
    goto cleanup;
  if (!histp->comm[0])
    bpf_probe_read_kernel_str(&histp->comm, sizeof(histp->comm), next->comm);
  delta /= 1000U;
  slot = 0;
  while (delta > 1 && slot < MAX_SLOTS - 1) {
    delta >>= 1;
    slot++;
  }
  __sync_fetch_and_add(&histp->slots[slot], 1);
cleanup:
  bpf_map_delete_elem(&start, &pid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
