/* profile-shaped: a perf_event sampling program, user and kernel stack ids from
 * bpf_get_stackid into a STACK_TRACE map, counts keyed by a struct of pid, stack ids and comm,
 * idle filtering, the sample period read from the perf event context. */
#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define PERF_MAX_STACK_DEPTH 127
#define MAX_ENTRIES 10240

struct key_t {
  u32 pid;
  int user_stack_id;
  int kern_stack_id;
  char name[TASK_COMM_LEN];
};

const volatile bool kernel_stacks_only = false;
const volatile bool user_stacks_only = false;
const volatile bool include_idle = false;
const volatile pid_t targ_pid = -1;

struct {
  __uint(type, BPF_MAP_TYPE_STACK_TRACE);
  __uint(key_size, sizeof(u32));
  __uint(value_size, PERF_MAX_STACK_DEPTH * sizeof(u64));
  __uint(max_entries, MAX_ENTRIES);
} stackmap SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct key_t);
  __type(value, u64);
  __uint(max_entries, MAX_ENTRIES);
} counts SEC(".maps");

u64 total_period = 0;

SEC("perf_event")
int do_perf_event(struct bpf_perf_event_data *ctx)
{
  u64 id = bpf_get_current_pid_tgid();
  u32 pid = id >> 32, tid = id;
  u64 *valp, one = 1;
  struct key_t key = {};

  if (!include_idle && tid == 0)
    return 0;
  if (targ_pid != -1 && targ_pid != pid)
    return 0;
  key.pid = pid;
  bpf_get_current_comm(&key.name, sizeof(key.name));

  if (user_stacks_only)
    key.kern_stack_id = -1;
  else
    key.kern_stack_id = bpf_get_stackid(&ctx->regs, &stackmap, 0);
  if (kernel_stacks_only)
    key.user_stack_id = -1;
  else
    key.user_stack_id = bpf_get_stackid(&ctx->regs, &stackmap, BPF_F_USER_STACK);

  __sync_fetch_and_add(&total_period, ctx->sample_period);
  valp = bpf_map_lookup_elem(&counts, &key);
  if (valp) {
    __sync_fetch_and_add(valp, 1);
    return 0;
  }
  bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
