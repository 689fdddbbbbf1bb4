/* hardirqs-shaped: tp_btf irq_handler_entry/exit via BPF_PROG, the entry timestamp in a
 * per-CPU array, the handler name read from struct irqaction with bpf_probe_read_kernel_str
 * into a string map key, counts or a log2 histogram of handler time per name. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define MAX_SLOTS 20
#define IRQ_NAME_LEN 32

struct irq_key {
  char name[IRQ_NAME_LEN];
};

struct info {
  u64 count;
  u64 total_ns;
  u32 slots[MAX_SLOTS];
};

const volatile bool do_count = false;
const volatile bool targ_dist = true;
const volatile bool targ_ns = false;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 256);
  __type(key, struct irq_key);
  __type(value, struct info);
} infos SEC(".maps");

static struct info zero;

static __always_inline u32 log2_u64(u64 v)
{
  u32 r = 0;

#pragma unroll
  for (int i = 32; i > 0; i >>= 1) {
    if (v >= (1ULL << i)) {
      v >>= i;
      r += i;
    }
  }
  return r;
}

static __always_inline struct info *lookup_info(struct irqaction *action)
{
  struct irq_key ikey = {};
  struct info *info;

  bpf_probe_read_kernel_str(&ikey.name, sizeof(ikey.name), BPF_CORE_READ(action, name));
  info = bpf_map_lookup_elem(&infos, &ikey);
  if (info)
    return info;
  bpf_map_update_elem(&infos, &ikey, &zero, BPF_ANY);
  return bpf_map_lookup_elem(&infos, &ikey);
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_handler_entry, int irq, struct irqaction *action)
{
  u32 key = 0;
  u64 *tsp;

  if (do_count) {
    struct info *info = lookup_info(action);
    if (info)
      __sync_fetch_and_add(&info->count, 1);
    return 0;
  }
  tsp = bpf_map_lookup_elem(&start, &key);
  if (tsp)
    *tsp = bpf_ktime_get_ns();
  return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_handler_exit, int irq, struct irqaction *action, int ret)
{
  struct info *info;
  u64 delta, *tsp;
  u32 key = 0, slot;

  if (do_count)
    return 0;
  tsp = bpf_map_lookup_elem(&start, &key);
  if (!tsp || !*tsp)
    return 0;
  delta = bpf_ktime_get_ns() - *tsp;
  *tsp = 0;
  if (!targ_ns)
    delta /= 1000U;
  info = lookup_info(action);
  if (!info)
    return 0;
  __sync_fetch_and_add(&info->count, 1);
  if (!targ_dist) {
    __sync_fetch_and_add(&info->total_ns, delta);
    return 0;
  }
  slot = log2_u64(delta);
  if (slot >= MAX_SLOTS)
    slot = MAX_SLOTS - 1;
  __sync_fetch_and_add(&info->slots[slot], 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
