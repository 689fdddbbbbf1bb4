/* softirqs-shaped: raw tracepoints (SEC("raw_tp/...")) via BPF_PROG, per-CPU entry timestamps
 * indexed by vector, per-vector totals and log2 histograms in a global array-of-structs in .bss,
 * designated initializers, a packed struct, struct assignment, a goto-based error path. The
 * array index is bounds-checked as a 64-bit value: with a u32 key clang -O2 checks a
 * zero-extended copy and indexes with the original register, which the verifier rejects. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NR_SOFTIRQS 10
#define MAX_SLOTS 20

struct vec_stat {
  u64 count;
  u64 time_ns;
  u32 slots[MAX_SLOTS];
};

struct __attribute__((packed)) last_rec {
  u8 vec;
  u32 cpu;
  u64 ns;
};

const volatile bool targ_dist = false;
const volatile bool targ_ns = false;

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, NR_SOFTIRQS);
  __type(key, u32);
  __type(value, u64);
} start SEC(".maps");

struct vec_stat stats[NR_SOFTIRQS] = {};
struct last_rec last = {};
u64 bad_vec = 0;

SEC("raw_tp/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec_nr)
{
  u64 ts = bpf_ktime_get_ns();
  u32 key = vec_nr;

  if (key >= NR_SOFTIRQS)
    goto bad;
  if (bpf_map_update_elem(&start, &key, &ts, BPF_ANY))
    goto bad;
  return 0;
bad:
  __sync_fetch_and_add(&bad_vec, 1);
  return 0;
}

SEC("raw_tp/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec_nr)
{
  struct last_rec rec = { .vec = vec_nr, .cpu = bpf_get_smp_processor_id() };
  struct vec_stat *st;
  u32 key = vec_nr, slot;
  u64 idx = vec_nr, delta, *tsp;

  if (idx >= NR_SOFTIRQS)
    return 0;
  tsp = bpf_map_lookup_elem(&start, &key);
  if (!tsp || !*tsp)
    return 0;
  delta = bpf_ktime_get_ns() - *tsp;
  *tsp = 0;
  if (!targ_ns)
    delta /= 1000U;
  rec.ns = delta;
  last = rec;

  st = &stats[idx];
  __sync_fetch_and_add(&st->count, 1);
  if (!targ_dist) {
    __sync_fetch_and_add(&st->time_ns, delta);
    return 0;
  }
  for (slot = 0; slot < MAX_SLOTS - 1 && delta > 1; slot++)
    delta >>= 1;
  __sync_fetch_and_add(&st->slots[slot], 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
