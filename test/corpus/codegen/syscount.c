/* syscount-shaped: raw_syscalls enter/exit tracepoints, counters in a hash keyed by pid or by
 * syscall id, a struct value updated in place with atomics and a max, the comm kept per pid,
 * a switch classifying the return value into an error-class counter array. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>

#define TASK_COMM_LEN 16
#define MAX_ENTRIES 8192
#define NR_CLASSES 4

struct data_t {
  u64 count;
  u64 total_ns;
  u64 max_ns;
  char comm[TASK_COMM_LEN];
};

const volatile bool count_by_process = false;
const volatile bool measure_latency = true;
const volatile int filter_errno = 0;
const volatile pid_t filter_pid = 0;

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, u32);
  __type(value, u64);
} start SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, u32);
  __type(value, struct data_t);
} data SEC(".maps");

u64 classes[NR_CLASSES] = {};

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *args)
{
  u64 id = bpf_get_current_pid_tgid();
  u32 tid = id;
  u64 ts;

  if (filter_pid && (id >> 32) != filter_pid)
    return 0;
  if (!measure_latency)
    return 0;
  ts = bpf_ktime_get_ns();
  bpf_map_update_elem(&start, &tid, &ts, BPF_ANY);
  return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit(struct trace_event_raw_sys_exit *args)
{
  u64 id = bpf_get_current_pid_tgid();
  u32 tid = id, pid = id >> 32, key;
  struct data_t *val, zero = {};
  u64 *start_ts, lat = 0;
  long ret = args->ret;
  int cls;

  if (filter_pid && pid != filter_pid)
    return 0;
  if (filter_errno && ret != -filter_errno)
    return 0;

  switch (ret) {
  case 0:
    cls = 0;
    break;
  case -4:  /* EINTR */
  case -11: /* EAGAIN */
    cls = 1;
    break;
  default:
    cls = ret < 0 ? 2 : 3;
  }
  __sync_fetch_and_add(&classes[cls], 1);

  if (measure_latency) {
    start_ts = bpf_map_lookup_elem(&start, &tid);
    if (!start_ts)
      return 0;
    lat = bpf_ktime_get_ns() - *start_ts;
  }

  key = count_by_process ? pid : (u32)args->id;
  val = bpf_map_lookup_elem(&data, &key);
  if (!val) {
    if (count_by_process)
      bpf_get_current_comm(&zero.comm, sizeof(zero.comm));
    bpf_map_update_elem(&data, &key, &zero, BPF_NOEXIST);
    val = bpf_map_lookup_elem(&data, &key);
    if (!val)
      return 0;
  }
  __sync_fetch_and_add(&val->count, 1);
  if (measure_latency) {
    __sync_fetch_and_add(&val->total_ns, lat);
    if (lat > val->max_ns)
      val->max_ns = lat;
  }
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
