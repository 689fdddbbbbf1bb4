/* filelife-shaped: BPF_KPROBE on vfs_create/vfs_open/vfs_unlink with several arguments, file
 * birth times keyed by the dentry pointer, the name read from dentry->d_name.name with
 * bpf_probe_read_kernel_str, the age reported at unlink through perf output, a kretprobe on
 * vfs_unlink that drops the pending entry on failure. Loads here; attaching needs kprobes. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define DNAME_INLINE_LEN 32
#define TASK_COMM_LEN 16
#define FMODE_CREATED 0x100000

struct event {
  char file[DNAME_INLINE_LEN];
  char task[TASK_COMM_LEN];
  u64 delta_ns;
  u32 tgid;
};

const volatile pid_t targ_tgid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8192);
  __type(key, struct dentry *);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8192);
  __type(key, u32);
  __type(value, struct event);
} currevent SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

static __always_inline int probe_create(struct dentry *dentry)
{
  u32 tgid = bpf_get_current_pid_tgid() >> 32;
  u64 ts;

  if (targ_tgid && targ_tgid != tgid)
    return 0;
  ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &dentry, &ts, 0);
  return 0;
}

SEC("kprobe/vfs_create")
int BPF_KPROBE(vfs_create, void *arg0, void *arg1, void *arg2)
{
  return probe_create((struct dentry *)arg2);
}

SEC("kprobe/vfs_open")
int BPF_KPROBE(vfs_open, struct path *path, struct file *file)
{
  struct dentry *dentry = BPF_CORE_READ(path, dentry);
  int fmode = BPF_CORE_READ(file, f_mode);

  if (!(fmode & FMODE_CREATED))
    return 0;
  return probe_create(dentry);
}

SEC("kprobe/vfs_unlink")
int BPF_KPROBE(vfs_unlink, void *arg0, void *arg1, void *arg2)
{
  u64 id = bpf_get_current_pid_tgid();
  struct dentry *dentry = arg2;
  struct event event = {};
  const u8 *qs_name_ptr;
  u32 tid = (u32)id;
  u64 *tsp, delta_ns;

  tsp = bpf_map_lookup_elem(&start, &dentry);
  if (!tsp)
    return 0;
  delta_ns = bpf_ktime_get_ns() - *tsp;
  qs_name_ptr = BPF_CORE_READ(dentry, d_name.name);
  bpf_probe_read_kernel_str(&event.file, sizeof(event.file), qs_name_ptr);
  bpf_get_current_comm(&event.task, sizeof(event.task));
  event.delta_ns = delta_ns;
  event.tgid = id >> 32;
  bpf_map_update_elem(&currevent, &tid, &event, BPF_ANY);
  bpf_map_delete_elem(&start, &dentry);
  return 0;
}

SEC("kretprobe/vfs_unlink")
int BPF_KRETPROBE(vfs_unlink_ret, int ret)
{
  u32 tid = (u32)bpf_get_current_pid_tgid();
  struct event *event = bpf_map_lookup_elem(&currevent, &tid);

  if (!event)
    return 0;
  if (!ret)
    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, event, sizeof(*event));
  bpf_map_delete_elem(&currevent, &tid);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
