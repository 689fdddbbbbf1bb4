/* oomkill-shaped: BPF_KPROBE on oom_kill_process with a struct oom_control, a two-level pointer
 * chain oc->chosen->tgid through BPF_CORE_READ, the victim's comm with BPF_CORE_READ_STR_INTO,
 * a field-existence query (bpf_core_field_exists), the memcg pointer tested, the event sent with
 * bpf_perf_event_output. Loads here (kprobe programs load); attaching needs kprobes. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16

struct data_t {
  u32 fpid;
  u32 tpid;
  u64 pages;
  long points;
  int order;
  u8 in_memcg;
  char fcomm[TASK_COMM_LEN];
  char tcomm[TASK_COMM_LEN];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

u64 kills = 0;

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(oom_kill_process, struct oom_control *oc, const char *message)
{
  struct data_t data = {};

  data.fpid = bpf_get_current_pid_tgid() >> 32;
  data.tpid = BPF_CORE_READ(oc, chosen, tgid);
  data.pages = BPF_CORE_READ(oc, totalpages);
  if (bpf_core_field_exists(oc->chosen_points))
    data.points = BPF_CORE_READ(oc, chosen_points);
  data.order = BPF_CORE_READ(oc, order);
  data.in_memcg = BPF_CORE_READ(oc, memcg) != NULL;
  bpf_get_current_comm(&data.fcomm, sizeof(data.fcomm));
  BPF_CORE_READ_STR_INTO(&data.tcomm, oc, chosen, comm);
  __sync_fetch_and_add(&kills, 1);
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
