/* bitesize-shaped: tracepoint block/block_rq_issue via struct trace_event_raw_block_rq, a
 * histogram of I/O sizes keyed by the issuing comm, the rwbs flags copied to the stack (the
 * verifier forbids variable ctx offsets) and scanned in a bounded loop to split reads and
 * writes, a disk filter on the dev_t, a branch-free log2. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define MAX_SLOTS 20
#define RWBS_LEN 10
#define MINORBITS 20

struct hist_key {
  char comm[TASK_COMM_LEN];
  u32 write;
};

struct hist {
  u32 slots[MAX_SLOTS];
};

const volatile char targ_comm[TASK_COMM_LEN] = {};
const volatile bool filter_dev = false;
const volatile u32 targ_dev = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct hist_key);
  __type(value, struct hist);
} hists SEC(".maps");

static struct hist initial_hist;

static __always_inline bool comm_allowed(const char *comm)
{
  int i;

  for (i = 0; i < TASK_COMM_LEN && targ_comm[i] != '\0'; i++) {
    if (comm[i] != targ_comm[i])
      return false;
  }
  return true;
}

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

SEC("tracepoint/block/block_rq_issue")
int block_rq_issue(struct trace_event_raw_block_rq *ctx)
{
  struct hist_key hkey = {};
  struct hist *histp;
  char rwbs[RWBS_LEN];
  u64 slot;
  int i;

  if (filter_dev && ctx->dev != targ_dev)
    return 0;
  bpf_get_current_comm(&hkey.comm, sizeof(hkey.comm));
  if (!comm_allowed(hkey.comm))
    return 0;
  bpf_probe_read_kernel(rwbs, sizeof(rwbs), ctx->rwbs);
  for (i = 0; i < RWBS_LEN; i++) {
    char c = rwbs[i];
    if (c == '\0')
      break;
    if (c == 'W') {
      hkey.write = 1;
      break;
    }
  }
  histp = bpf_map_lookup_elem(&hists, &hkey);
  if (!histp) {
    bpf_map_update_elem(&hists, &hkey, &initial_hist, BPF_ANY);
    histp = bpf_map_lookup_elem(&hists, &hkey);
    if (!histp)
      return 0;
  }
  slot = log2_u32(ctx->bytes / 1024);
  if (slot >= MAX_SLOTS)
    slot = MAX_SLOTS - 1;
  __sync_fetch_and_add(&histp->slots[slot], 1);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
