/* bashreadline-shaped: a uretprobe on readline via BPF_KRETPROBE, the returned user string
 * read with bpf_probe_read_user_str, the comm checked against "bash" with a bounded loop,
 * the line sent by perf output. Loads here (a kprobe-type program); attaching needs uprobes. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define MAX_LINE_SIZE 80

struct str_t {
  u32 pid;
  char str[MAX_LINE_SIZE];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

static const char bash[] = "bash";

SEC("uretprobe//bin/bash:readline")
int BPF_KRETPROBE(printret, const void *ret)
{
  struct str_t data;
  char comm[TASK_COMM_LEN];
  int i;

  if (!ret)
    return 0;
  bpf_get_current_comm(&comm, sizeof(comm));
  for (i = 0; i < sizeof(bash); i++)
    if (comm[i] != bash[i])
      return 0;
  data.pid = bpf_get_current_pid_tgid() >> 32;
  if (bpf_probe_read_user_str(&data.str, sizeof(data.str), ret) <= 1)
    return 0;
  bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &data, sizeof(data));
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
