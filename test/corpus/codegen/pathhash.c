/* A string-walking program: the unlinkat/mkdirat path read with bpf_probe_read_user_str into
 * a per-CPU scratch buffer, an FNV-1a hash and the basename offset computed by plain bounded
 * (not unrolled) loops in a __noinline function (a BPF-to-BPF call), counts per hash, a
 * length histogram with a bounded while loop. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#define PATH_LEN 128
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct scratch {
  char path[PATH_LEN];
};

struct path_stat {
  u64 count;
  u32 base_off;
  u32 len;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, u32);
  __type(value, struct scratch);
} buf SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, u64);
  __type(value, struct path_stat);
} by_hash SEC(".maps");

u64 len_hist[8] = {};

static __noinline u64 fnv1a(const char *s, u32 *base_off)
{
  u64 h = FNV_OFFSET;
  u32 off = 0;

  for (u32 i = 0; i < PATH_LEN; i++) {
    char c = s[i];
    if (!c)
      break;
    if (c == '/')
      off = i + 1;
    h ^= (u8)c;
    h *= FNV_PRIME;
  }
  *base_off = off;
  return h;
}

static __always_inline int count_path(const char *upath)
{
  struct path_stat *st, init = {};
  struct scratch *sc;
  u32 zero = 0, base_off, slot = 0;
  long len;
  u64 h;

  sc = bpf_map_lookup_elem(&buf, &zero);
  if (!sc)
    return 0;
  len = bpf_probe_read_user_str(sc->path, sizeof(sc->path), upath);
  if (len <= 0)
    return 0;
  h = fnv1a(sc->path, &base_off);
  while ((len >> slot) > 1 && slot < 7)
    slot++;
  __sync_fetch_and_add(&len_hist[slot], 1);

  st = bpf_map_lookup_elem(&by_hash, &h);
  if (st) {
    __sync_fetch_and_add(&st->count, 1);
    return 0;
  }
  init.count = 1;
  init.base_off = base_off;
  init.len = len;
  bpf_map_update_elem(&by_hash, &h, &init, BPF_NOEXIST);
  return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
  return count_path((const char *)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_mkdirat")
int enter_mkdirat(struct trace_event_raw_sys_enter *ctx)
{
  return count_path((const char *)ctx->args[1]);
}

char LICENSE[] SEC("license") = "GPL";
