/* biolatency-shaped: tp_btf block_rq_issue/complete via BPF_PROG, start times keyed by the
 * request pointer, a log2 histogram in an array map (one per flag set), request fields read
 * directly (tp_btf pointers are trusted). */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define MAX_SLOTS 27
#define REQ_OP_BITS 8
#define REQ_OP_MASK ((1 << REQ_OP_BITS) - 1)
#define MAX_OPS 4

struct hist {
  u32 slots[MAX_SLOTS];
};

const volatile bool targ_ms = false;
const volatile bool targ_per_op = false;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct request *);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, MAX_OPS);
  __type(key, u32);
  __type(value, struct hist);
} hists SEC(".maps");

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
  return hi ? log2_u32(hi) + 32 : log2_u32(v);
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
  u64 ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &rq, &ts, BPF_ANY);
  return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
  u64 slot, *tsp, ts = bpf_ktime_get_ns();
  struct hist *histp;
  u32 key = 0;
  s64 delta;

  tsp = bpf_map_lookup_elem(&start, &rq);
  if (!tsp)
    return 0;
  delta = (s64)(ts - *tsp);
  if (delta < 0)
    goto cleanup;
  if (targ_per_op)
    key = (rq->cmd_flags & REQ_OP_MASK) & (MAX_OPS - 1);
  histp = bpf_map_lookup_elem(&hists, &key);
  if (!histp)
    goto cleanup;
  if (targ_ms)
    delta /= 1000000U;
  else
    delta /= 1000U;
  slot = log2l(delta);
  if (slot >= MAX_SLOTS)
    slot = MAX_SLOTS - 1;
  __sync_fetch_and_add(&histp->slots[slot], 1);
cleanup:
  bpf_map_delete_elem(&start, &rq);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
