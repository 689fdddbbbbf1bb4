/* Shaped like biolatency: a log2 histogram keyed by disk, request pointers, tracepoint BTF args. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define MAX_SLOTS 27
#define DISK_NAME_LEN 32

struct hist_key { u32 dev; u32 _pad; };
struct hist { u32 slots[MAX_SLOTS]; char name[DISK_NAME_LEN]; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct request *);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct hist_key);
  __type(value, struct hist);
} hists SEC(".maps");

static struct hist initial_hist;

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

static int trace_rq_start(struct request *rq)
{
  u64 ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &rq, &ts, 0);
  return 0;
}

SEC("tp_btf/block_rq_insert")
int BPF_PROG(block_rq_insert, struct request *rq)
{
  return trace_rq_start(rq);
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
  u64 slot, *tsp, ts = bpf_ktime_get_ns();
  struct hist_key hkey = {};
  struct hist *histp;
  s64 delta;

  tsp = bpf_map_lookup_elem(&start, &rq);
  if (!tsp)
    return 0;
  delta = (s64)(ts - *tsp);
  if (delta < 0)
    goto cleanup;
  hkey.dev = rq->q->disk ? rq->q->disk->major << 20 | rq->q->disk->first_minor : 0;
  histp = bpf_map_lookup_elem(&hists, &hkey);
  if (!histp) {
    bpf_map_update_elem(&hists, &hkey, &initial_hist, 0);
    histp = bpf_map_lookup_elem(&hists, &hkey);
    if (!histp)
      goto cleanup;
  }
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
